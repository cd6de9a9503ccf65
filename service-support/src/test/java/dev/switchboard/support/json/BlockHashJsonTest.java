package dev.switchboard.support.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.switchboard.contract.wire.KvEvent;
import dev.switchboard.contract.wire.KvEventBatch;
import dev.switchboard.contract.wire.ScheduleRequest;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class BlockHashJsonTest {
    private static final JsonMapper JSON = JsonMapper.builder().addModule(BlockHashJson.module()).build();

    @Test
    void blockHashesAreOneBase64StringAndEverythingElseIsPlainJson() {
        KvEvent stored = new KvEvent(KvEvent.Kind.STORED, new long[] {1, -1, Long.MIN_VALUE}, -7L, 16, "GPU",
                KvEvent.HashSpace.SWITCHBOARD);
        JsonNode tree = JSON.readTree(JSON.writeValueAsString(stored));
        assertThat(tree.get("blockHashes").asString()).isEqualTo("AAAAAAAAAAH//////////4AAAAAAAAAA");
        assertThat(tree.get("parentBlockHash").asLong()).isEqualTo(-7);
        assertThat(tree.get("kind").asString()).isEqualTo("STORED");
        assertThat(tree.propertyNames()).containsExactlyInAnyOrder("kind", "blockHashes", "parentBlockHash", "blockSize",
                "medium", "hashSpace");
    }

    @Test
    void batchesRoundTripWithRandomAndExtremeHashes() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            long[] hashes = random.longs(random.nextInt(300)).toArray();
            if (hashes.length > 1) {
                hashes[0] = Long.MIN_VALUE;
                hashes[hashes.length - 1] = Long.MAX_VALUE;
            }
            KvEventBatch batch = new KvEventBatch("decode-1", trial, 1_700_000_000_000L, List.of(KvEvent.cleared(),
                    new KvEvent(KvEvent.Kind.STORED, hashes, null, 16, "GPU", KvEvent.HashSpace.SWITCHBOARD),
                    new KvEvent(KvEvent.Kind.REMOVED, hashes, null, 0, "CPU", KvEvent.HashSpace.ENGINE)));
            assertThat(JSON.readValue(JSON.writeValueAsString(batch), KvEventBatch.class)).isEqualTo(batch);
        }
    }

    @Test
    void scheduleRequestsCarryTheirPromptHashesTheSameWayAndStillReadTheNumberArrayOfOlderGateways() {
        SplittableRandom random = new SplittableRandom(5);
        long[] hashes = random.longs(3_200).toArray();
        ScheduleRequest request = new ScheduleRequest("r-1", "llama-3-8b", "acme", 2, 51_200, 16, hashes, "s", true,
                List.of("decode-2"));
        String json = JSON.writeValueAsString(request);
        assertThat(JSON.readTree(json).get("blockHashes").isString()).isTrue();
        assertThat(json.length()).isLessThan(36_000); // 64 KB and more as numbers
        assertThat(JSON.readValue(json, ScheduleRequest.class)).isEqualTo(request);

        ScheduleRequest old = JSON.readValue("{\"requestId\":\"r-2\",\"model\":\"m\",\"priority\":0,\"promptTokens\":32,"
                + "\"maxTokens\":0,\"stream\":false,\"blockHashes\":[5,-6]}",
                ScheduleRequest.class);
        assertThat(old.blockHashes()).containsExactly(5, -6);
    }

    @Test
    void bootsJsonMapperGetsTheModule() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, BlockHashJsonAutoConfiguration.class))
                .run(context -> {
                    JsonMapper boot = context.getBean(JsonMapper.class);
                    ScheduleRequest request = new ScheduleRequest("r", "m", null, 0, 32, 0, new long[] {1, -1}, null, false, null);
                    assertThat(boot.readTree(boot.writeValueAsString(request)).get("blockHashes").asString())
                            .isEqualTo("AAAAAAAAAAH//////////w==");
                });
    }

    @Test
    void readsTheNumberArrayOfOlderAdaptersAndNull() {
        assertThat(JSON.readValue("{\"kind\":\"REMOVED\",\"blockSize\":0,\"blockHashes\":[1,-2,9223372036854775807]}", KvEvent.class)
                .blockHashes()).containsExactly(1, -2, Long.MAX_VALUE);
        assertThat(JSON.readValue("{\"kind\":\"CLEARED\",\"blockSize\":0,\"blockHashes\":null}", KvEvent.class)).isEqualTo(KvEvent.cleared());
        assertThat(JSON.readValue("{\"kind\":\"STORED\",\"blockSize\":0,\"blockHashes\":\"\"}", KvEvent.class).blockCount()).isZero();
    }

    @Test
    void rejectsMalformedEncodingsWithTheReason() {
        assertThatThrownBy(() -> JSON.readValue("{\"kind\":\"STORED\",\"blockSize\":0,\"blockHashes\":\"AAAA*AAA\"}", KvEvent.class))
                .isInstanceOf(DatabindException.class).hasMessageContaining("blockHashes is not base64");
        assertThatThrownBy(() -> JSON.readValue("{\"kind\":\"STORED\",\"blockSize\":0,\"blockHashes\":\"AAAAAAAAAA==\"}", KvEvent.class))
                .isInstanceOf(DatabindException.class).hasMessageContaining("not a whole number of 8-byte hashes");
        assertThatThrownBy(() -> JSON.readValue("{\"kind\":\"STORED\",\"blockSize\":0,\"blockHashes\":42}", KvEvent.class))
                .isInstanceOf(DatabindException.class).hasMessageContaining("must be a base64 string");
    }
}
