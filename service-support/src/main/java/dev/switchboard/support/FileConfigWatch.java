package dev.switchboard.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a file by polling its modification time and size (works on every file system, including
 * container bind mounts where change notifications are unreliable). The consumer may throw to
 * reject a version; the watch keeps going.
 */
public final class FileConfigWatch implements ConfigWatch {
    private static final Logger log = LoggerFactory.getLogger(FileConfigWatch.class);

    private final Path path;
    private final Consumer<String> consumer;
    private final ScheduledExecutorService poller;
    private FileTime seenTime;
    private long seenSize = -1;

    private FileConfigWatch(Path path, Consumer<String> consumer) {
        this.path = path;
        this.consumer = consumer;
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "config-watch-" + path.getFileName());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Reads {@code path} now and hands it to {@code consumer} (exceptions from this first read propagate:
     * a service must not start on a bad config), then re-reads it whenever it changes.
     */
    public static FileConfigWatch start(Path path, Duration interval, Consumer<String> consumer) {
        FileConfigWatch watch = new FileConfigWatch(path, consumer);
        watch.poll(true);
        watch.poller.scheduleWithFixedDelay(() -> watch.poll(false), interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return watch;
    }

    synchronized void poll(boolean first) {
        try {
            FileTime time = Files.getLastModifiedTime(path);
            long size = Files.size(path);
            if (!first && time.equals(seenTime) && size == seenSize) {
                return;
            }
            seenTime = time;
            seenSize = size;
            consumer.accept(Files.readString(path));
        } catch (IOException e) {
            if (first) {
                throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
            }
            log.warn("cannot read {}: {}", path, e.toString());
        } catch (RuntimeException rejected) {
            if (first) {
                throw rejected;
            }
            // the consumer rejected this version and reported why; keep watching
        }
    }

    @Override
    public String source() {
        return "file " + path;
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
