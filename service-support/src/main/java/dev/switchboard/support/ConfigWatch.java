package dev.switchboard.support;

/**
 * A running watch on one config text (a file, or a Nacos data id). Every version of the text is
 * handed to the consumer given at creation, the current one first; closing stops the watch.
 */
public interface ConfigWatch extends AutoCloseable {
    /** Where the text comes from, for logs and admin APIs (e.g. {@code file /etc/x.yaml}). */
    String source();

    @Override
    void close();
}
