package dev.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FileConfigWatchTest {
    @TempDir
    Path dir;

    @Test
    void deliversTheCurrentTextThenEveryChangeAndSurvivesRejections() throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "v1");
        List<String> applied = new CopyOnWriteArrayList<>();
        try (FileConfigWatch watch = FileConfigWatch.start(file, Duration.ofMillis(20), text -> {
            if (text.startsWith("bad")) {
                throw new IllegalArgumentException("rejected");
            }
            applied.add(text);
        })) {
            assertThat(applied).containsExactly("v1");
            write(file, "bad version", 1);
            write(file, "v2", 2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!applied.contains("v2") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(applied).containsExactly("v1", "v2");
            assertThat(watch.source()).isEqualTo("file " + file);
        }
    }

    @Test
    void aFileCaughtMidWriteIsNotAppliedUntilItSettles() throws Exception {
        Path file = dir.resolve("t.yaml");
        Files.writeString(file, "v1");
        List<String> applied = new CopyOnWriteArrayList<>();
        // polls by hand: no timer fires during the test
        try (FileConfigWatch watch = FileConfigWatch.start(file, Duration.ofHours(1), Duration.ofHours(1), applied::add)) {
            Files.writeString(file, ""); // an editor truncated the file and has not written yet
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(1)));
            watch.poll(false);
            assertThat(applied).as("a change is not read at once").containsExactly("v1");
            Files.writeString(file, "v2 complete");
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(2)));
            watch.poll(false);
            assertThat(applied).as("still changing: not settled").containsExactly("v1");
            watch.poll(false);
            assertThat(applied).as("unchanged since the last look: read").containsExactly("v1", "v2 complete");
            watch.poll(false);
            assertThat(applied).as("read once").containsExactly("v1", "v2 complete");
        }
    }

    @Test
    void aBadOrMissingFileAtStartFailsFast() throws Exception {
        assertThatThrownBy(() -> FileConfigWatch.start(dir.resolve("missing.yaml"), Duration.ofSeconds(1), t -> { }))
                .hasMessageContaining("cannot read");
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "bad");
        assertThatThrownBy(() -> FileConfigWatch.start(file, Duration.ofSeconds(1), t -> {
            throw new IllegalArgumentException("invalid: bad");
        })).hasMessage("invalid: bad");
    }

    /** Writes and bumps the modification time, so a change is seen even within one clock tick. */
    private static void write(Path file, String text, int secondsLater) throws Exception {
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(secondsLater)));
        Thread.sleep(120);
    }
}
