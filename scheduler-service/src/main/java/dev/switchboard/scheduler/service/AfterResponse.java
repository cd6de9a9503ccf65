package dev.switchboard.scheduler.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work that one HTTP exchange's answer need not wait for (a decision's prefix-index lesson), collected while
 * the answer is made and run once it has been written: the route that serves a decision puts one in the
 * Reactor context under {@link #CONTEXT_KEY} and calls {@link #run()} when the exchange ends.
 */
public final class AfterResponse implements Executor {
    /** Reactor context key of the exchange's instance. */
    public static final String CONTEXT_KEY = AfterResponse.class.getName();

    private static final Logger log = LoggerFactory.getLogger(AfterResponse.class);

    private final List<Runnable> work = new ArrayList<>(1);
    private boolean done;

    /** Queues {@code task} until the response is written; runs it at once if it already was. */
    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            if (!done) {
                work.add(task);
                return;
            }
        }
        task.run();
    }

    /** Runs the queued work once (the response is written, or the exchange failed or was cancelled). */
    public void run() {
        synchronized (this) {
            if (done) {
                return;
            }
            done = true; // from now on nothing is added to work
        }
        for (Runnable task : work) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("work after a response failed", e);
            }
        }
    }
}
