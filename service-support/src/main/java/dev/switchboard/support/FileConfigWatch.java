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
 * container bind mounts where change notifications are unreliable). A change is handed over only once
 * it has settled (the same time and size a moment later), so a file caught mid-write (truncated, half
 * written) is never applied. The consumer may throw to reject a version; the watch keeps going.
 */
public final class FileConfigWatch implements ConfigWatch {
    private static final Logger log = LoggerFactory.getLogger(FileConfigWatch.class);
    /** How long a change must stay unchanged before it is read (shorter when the poll interval is). */
    private static final Duration MAX_SETTLE = Duration.ofMillis(100);

    private final Path path;
    private final Consumer<String> consumer;
    private final ScheduledExecutorService poller;
    private final Duration settle;
    /** Time and size of the version last handed to the consumer. */
    private FileTime appliedTime;
    private long appliedSize = -1;
    /** A change seen but not yet settled, or null. */
    private FileTime pendingTime;
    private long pendingSize = -1;

    private FileConfigWatch(Path path, Duration settle, Consumer<String> consumer) {
        this.path = path;
        this.consumer = consumer;
        this.settle = settle;
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
        return start(path, interval, interval.compareTo(MAX_SETTLE) < 0 ? interval : MAX_SETTLE, consumer);
    }

    /** {@link #start(Path, Duration, Consumer)} with an explicit settle delay (tests). */
    static FileConfigWatch start(Path path, Duration interval, Duration settle, Consumer<String> consumer) {
        FileConfigWatch watch = new FileConfigWatch(path, settle, consumer);
        watch.poll(true);
        watch.poller.scheduleWithFixedDelay(() -> watch.poll(false), interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return watch;
    }

    synchronized void poll(boolean first) {
        try {
            FileTime time = Files.getLastModifiedTime(path);
            long size = Files.size(path);
            if (!first) {
                if (time.equals(appliedTime) && size == appliedSize) {
                    pendingTime = null;
                    return;
                }
                if (!time.equals(pendingTime) || size != pendingSize) {
                    // changed since the last look: maybe still being written; look again once it had time to settle
                    pendingTime = time;
                    pendingSize = size;
                    poller.schedule(() -> poll(false), settle.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
            }
            pendingTime = null;
            appliedTime = time;
            appliedSize = size;
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
