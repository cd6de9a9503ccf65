package dev.switchboard.support.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.json.JacksonJsonEncoder;

import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

class JsonBufferRecyclingAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, JsonBufferRecyclingAutoConfiguration.class));

    record Decision(String endpoint, long lease, int cachedTokens) {
    }

    @Test
    void bootsMapperRecyclesBuffersPerThreadAndKeepsBootsCustomizations() {
        runner.withPropertyValues("spring.jackson.serialization.indent-output=true").run(context -> {
            JsonMapper mapper = context.getBean(JsonMapper.class);
            assertThat(mapper.tokenStreamFactory()._getRecyclerPool()).isSameAs(JsonRecyclerPools.threadLocalPool());
            assertThat(mapper.writeValueAsString(Map.of("a", 1))).contains("\n");
        });
    }

    @Test
    void springsEncoderNoLongerAllocatesFreshBuffersPerValue() {
        runner.run(context -> {
            JacksonJsonEncoder encoder = new JacksonJsonEncoder(context.getBean(JsonMapper.class));
            long perValue = bytesAllocatedPerEncode(encoder);
            // an unreleased recycler costs a fresh 8 KB byte buffer and 4 KB char buffer (and more) per value
            assertThat(perValue).isLessThan(6_000);
        });
    }

    @Test
    void withoutItSpringsEncoderAllocatesFreshBuffersPerValue() {
        // guards the test above: if Spring or Jackson fix the leak, this fails and the configuration can go
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class)).run(context -> {
            JacksonJsonEncoder encoder = new JacksonJsonEncoder(context.getBean(JsonMapper.class));
            assertThat(bytesAllocatedPerEncode(encoder)).isGreaterThan(10_000);
        });
    }

    private static long bytesAllocatedPerEncode(JacksonJsonEncoder encoder) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        DefaultDataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;
        ResolvableType type = ResolvableType.forClass(Decision.class);
        Decision value = new Decision("decode-1", 42, 128);
        for (int i = 0; i < 2_000; i++) {
            DataBufferUtils.release(encoder.encodeValue(value, buffers, type, MediaType.APPLICATION_JSON, null));
        }
        int rounds = 2_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < rounds; i++) {
            DataBuffer b = encoder.encodeValue(value, buffers, type, MediaType.APPLICATION_JSON, null);
            DataBufferUtils.release(b);
        }
        return (threads.getCurrentThreadAllocatedBytes() - before) / rounds;
    }
}
