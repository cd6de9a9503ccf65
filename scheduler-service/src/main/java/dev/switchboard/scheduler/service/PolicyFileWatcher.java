package dev.switchboard.scheduler.service;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.switchboard.scheduler.engine.PolicyException;

/**
 * Re-applies a policy file when its modification time or size changes (polled: works on every
 * file system, including bind mounts where change notifications are unreliable).
 */
public final class PolicyFileWatcher {
    private static final Logger log = LoggerFactory.getLogger(PolicyFileWatcher.class);

    private final Path path;
    private final PolicyStore store;
    private FileTime seenTime;
    private long seenSize = -1;

    /** Starts watching; the file as it is now counts as already applied. */
    public PolicyFileWatcher(Path path, PolicyStore store) {
        this.path = path;
        this.store = store;
        try {
            seenTime = Files.getLastModifiedTime(path);
            seenSize = Files.size(path);
        } catch (java.io.IOException e) {
            log.warn("cannot read policy file {}: {}", path, e.toString());
        }
    }

    /** Checks the file once; applies it if it changed since the last check. */
    public synchronized void check() {
        try {
            FileTime time = Files.getLastModifiedTime(path);
            long size = Files.size(path);
            if (time.equals(seenTime) && size == seenSize) {
                return;
            }
            seenTime = time;
            seenSize = size;
            store.apply(PolicyStore.file(path), "file " + path);
        } catch (PolicyException rejected) {
            // already logged and recorded by the store; the last good policy stays
        } catch (java.io.IOException e) {
            log.warn("cannot read policy file {}: {}", path, e.toString());
        }
    }
}
