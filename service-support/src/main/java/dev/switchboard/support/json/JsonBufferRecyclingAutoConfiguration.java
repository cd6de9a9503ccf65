package dev.switchboard.support.json;

import java.util.List;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Scope;

import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

/**
 * Boot's {@link JsonMapper.Builder}, with every {@link JsonMapperBuilderCustomizer} applied as Boot
 * applies them, over a {@link JsonFactory} whose buffers are recycled per thread.
 *
 * <p>Why: Jackson 3 pools its {@code BufferRecycler}s in a per-factory deque that is refilled only by an
 * explicit release, and Spring Framework 7.0's WebFlux Jackson encoder never releases the recycler it
 * takes (spring-framework#37058, fixed after the 7.0 line this suite runs on). Every JSON body encoded
 * or decoded on the hot path (the gateway's schedule call, the scheduler's answer, lease batches) then
 * allocated about 18 KB of fresh buffers, a third of the scheduler's allocation. The thread-local pool
 * ignores releases and hands each thread its own recycler back; the services encode on a few
 * long-lived Netty event-loop threads, which is the case it is made for.
 */
@AutoConfiguration(before = JacksonAutoConfiguration.class)
@ConditionalOnClass(JsonMapper.class)
public class JsonBufferRecyclingAutoConfiguration {

    @Bean
    @Scope("prototype")
    @ConditionalOnMissingBean
    JsonMapper.Builder jsonMapperBuilder(List<JsonMapperBuilderCustomizer> customizers) {
        JsonFactory factory = JsonFactory.builder().recyclerPool(JsonRecyclerPools.threadLocalPool()).build();
        JsonMapper.Builder builder = JsonMapper.builder(factory);
        for (JsonMapperBuilderCustomizer customizer : customizers) {
            customizer.customize(builder);
        }
        return builder;
    }
}
