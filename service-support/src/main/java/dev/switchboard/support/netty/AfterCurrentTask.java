package dev.switchboard.support.netty;

import java.util.concurrent.Executor;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

/**
 * Runs work after the event-loop task in progress, on the same loop: work that a request's answer need not wait
 * for. A handler running on an event loop writes and flushes its answer within its own task, so a task queued here
 * starts once the answer is on its way. Off the loops (tests, other threads) the work runs at once.
 */
public final class AfterCurrentTask implements Executor {
    private final ServerLoops loops;

    /** On Reactor Netty's shared loop resources (those of Spring Boot's Netty server). */
    public AfterCurrentTask() {
        this.loops = ServerLoops.shared();
    }

    AfterCurrentTask(EventLoopGroup group) {
        this.loops = new ServerLoops(group);
    }

    @Override
    public void execute(Runnable work) {
        EventExecutor loop = loops.current();
        if (loop == null) {
            work.run();
        } else {
            loop.execute(work);
        }
    }
}
