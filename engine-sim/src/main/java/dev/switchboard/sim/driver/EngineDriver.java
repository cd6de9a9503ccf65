package dev.switchboard.sim.driver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.switchboard.sim.core.CoreEvent;
import dev.switchboard.sim.core.CoreRequest;
import dev.switchboard.sim.core.EngineCore;
import dev.switchboard.sim.core.EngineStats;
import dev.switchboard.sim.core.StepResult;

/**
 * Runs one {@link EngineCore} in (scaled) wall-clock time on a thread of its own, the only thread that
 * touches the core.
 *
 * <p>Loop: apply queued commands (submit, abort, release, reset...), run one step at the pacer's
 * current simulated time, wait until the step's simulated end, then deliver its events: tokens to each
 * request's {@link RequestListener}, and the step itself to the {@link DriverObserver} (metrics, KV
 * events). Tokens thus leave when the modelled forward pass ends, as on a GPU. When idle, the thread
 * sleeps until a command arrives or the core's next wake-up (a KV transfer landing, a pickup timeout).
 *
 * <p><b>Time.</b> Consecutive busy steps chain in simulated time (step n+1 starts when step n ends), so
 * modelled latencies are exact even when this thread runs late; the lag is only recorded
 * ({@link DriverStats}) and shows as delivery delay. Arrivals carry the wall-derived simulated time, and an
 * idle engine's first step starts at the earliest such arrival, not when this thread got to run: a loaded
 * host's wake-up delay (multiplied by the speed) never enters a modelled latency either. Simulated time
 * never goes backwards: no step starts before an earlier step, abort or resume.
 *
 * <p>Every public method is thread-safe; commands are applied in submission order before the next step.
 */
public final class EngineDriver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineDriver.class);
    private static final long UNSET = Long.MAX_VALUE;

    private final String name;
    private final EngineCore core;
    private final Pacer pacer;
    private final DriverObserver observer;
    private final BlockingQueue<Runnable> commands = new LinkedBlockingQueue<>();
    private final Thread thread;

    // driver-thread state
    private final Map<String, Live> live = new HashMap<>();
    private final java.util.Set<String> pinned = new java.util.LinkedHashSet<>();
    private long lastEnd;
    /** Latest simulated time the core was driven at (step start or end, abort, resume); steps never precede it. */
    private long floor;
    /** When an idle engine's next step starts: the earliest arrival or wake-up since the last step, or {@link #UNSET}. */
    private long idleStart = UNSET;
    private boolean previousBusy;
    private boolean paused;
    private long steps;
    private long busySim;
    private long lag;
    private long maxLag;

    private volatile EngineStats stats;
    private volatile DriverStats driverStats = new DriverStats(0, 0, 0, 0, 0);
    private volatile boolean closed;

    /**
     * @param name     thread name suffix (the engine id)
     * @param core     the core; from now on touched only by this driver's thread
     * @param pacer    simulated-to-wall time mapping
     * @param observer engine-wide observations
     */
    public EngineDriver(String name, EngineCore core, Pacer pacer, DriverObserver observer) {
        this.name = Objects.requireNonNull(name, "name");
        this.core = Objects.requireNonNull(core, "core");
        this.pacer = Objects.requireNonNull(pacer, "pacer");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.stats = core.stats();
        this.thread = new Thread(this::run, "sim-driver-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts the driver thread. */
    public EngineDriver start() {
        thread.start();
        return this;
    }

    /** Current simulated time. */
    public long now() {
        return pacer.now();
    }

    /** The core's configuration (immutable, safe to read from any thread). */
    public dev.switchboard.sim.core.EngineConfig config() {
        return core.config();
    }

    /** KV bytes per token of the served model. */
    public long kvBytesPerToken() {
        return core.costModel().kvBytesPerToken();
    }

    /** The core's state after the latest step or command. */
    public EngineStats stats() {
        return stats;
    }

    /** Pace keeping. */
    public DriverStats driverStats() {
        return driverStats;
    }

    /**
     * Queues a request; it arrives now (its {@code arrivalNanos} is replaced by the current simulated time).
     * The listener hears about it on the driver thread.
     */
    public void submit(CoreRequest request, RequestListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        CoreRequest arriving = request.withArrivalNanos(pacer.now());
        command(() -> {
            try {
                core.submit(arriving);
            } catch (IllegalArgumentException e) {
                safely(() -> listener.onRejected(e.getMessage()));
                return;
            }
            live.put(arriving.id(), new Live(listener, arriving.arrivalNanos()));
            startIdleStepBy(arriving.arrivalNanos());
        });
    }

    /** Cancels a request (client went away, crash); a no-op if it already finished. */
    public void abort(String requestId) {
        command(() -> core.abort(requestId, currentNow()));
    }

    /** Cancels every request the driver delivers and drops all KV pinned for pickup (a crash). */
    public void abortAll() {
        command(() -> {
            long now = currentNow();
            for (String id : new ArrayList<>(live.keySet())) {
                core.abort(id, now);
            }
            for (String id : pinned) {
                core.releaseKv(id);
            }
            pinned.clear();
        });
    }

    /** Frees KV pinned for a prefill leg whose decode leg picked it up (no-op if none). */
    public void releaseKv(String requestId) {
        command(() -> {
            core.releaseKv(requestId);
            pinned.remove(requestId);
        });
    }

    /** Resets the prefix cache if no block is in use; completes with whether it did. */
    public CompletableFuture<Boolean> resetPrefixCache() {
        return call(c -> {
            boolean done = c.resetPrefixCache();
            if (done) {
                observer.onCacheReset();
            }
            return done;
        });
    }

    /**
     * Resets the prefix cache only when nothing is running or waiting (SGLang's {@code /flush_cache}); completes
     * with whether it did.
     */
    public CompletableFuture<Boolean> resetPrefixCacheIfIdle() {
        return call(c -> {
            EngineStats s = c.stats();
            if (s.running() + s.waiting() > 0) {
                return false;
            }
            boolean done = c.resetPrefixCache();
            if (done) {
                observer.onCacheReset();
            }
            return done;
        });
    }

    /** Step times x {@code factor} from the next step on (fault injection). */
    public void setSlowdown(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("slowdown must be a finite number > 0, but was " + factor);
        }
        command(() -> core.setSlowdown(factor));
    }

    /** Stops (or resumes) stepping: running requests freeze mid-answer (a hung GPU). */
    public void setPaused(boolean value) {
        command(() -> {
            paused = value;
            currentNow(); // work queued during a pause starts at the resume, not at its arrival
        });
    }

    /** Stops the thread. Live requests get no further events. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T> CompletableFuture<T> call(Function<EngineCore, T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        command(() -> {
            try {
                result.complete(action.apply(core));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private void command(Runnable c) {
        if (closed) {
            throw new IllegalStateException("engine driver " + name + " is closed");
        }
        commands.add(c);
    }

    /** The simulated time now (driver thread), never before an earlier step, abort or resume. */
    private long currentNow() {
        floor = Math.max(floor, pacer.now());
        return floor;
    }

    /** The next idle step starts at {@code simNanos} at the latest (an arrival, a wake-up time). */
    private void startIdleStepBy(long simNanos) {
        idleStart = Math.min(idleStart, simNanos);
    }

    /**
     * Start of a step after idling: the earliest arrival or wake-up since the last step (when the engine
     * would have started), else now; never before the floor.
     */
    private long idleStepStart() {
        return idleStart != UNSET ? Math.max(floor, idleStart) : currentNow();
    }

    // ------------------------------------------------------------------ driver thread

    private void run() {
        try {
            while (!closed) {
                drainCommands();
                if (paused) {
                    previousBusy = false;
                    apply(commands.take());
                    continue;
                }
                // A busy engine starts its next step the moment the previous one ends (in simulated time), even
                // if this thread is late: modelled latencies never include the host's hiccups; the wall clock
                // catches up because waits for already-past step ends return at once. An idle engine re-syncs
                // to the wall clock at the arrival that woke it.
                long now = previousBusy ? lastEnd : idleStepStart();
                idleStart = UNSET;
                floor = Math.max(floor, now);
                StepResult step = core.step(now);
                if (!step.idle()) {
                    if (previousBusy) {
                        lag = Math.max(0, pacer.now() - lastEnd); // the simulator's own overhead, not the GPU's
                        maxLag = Math.max(maxLag, lag);
                    }
                    pacer.awaitSim(step.endNanos());
                    lastEnd = step.endNanos();
                    floor = Math.max(floor, lastEnd);
                    steps++;
                    busySim += step.durationNanos();
                    previousBusy = true;
                    deliver(step);
                    continue;
                }
                previousBusy = false;
                lag = 0;
                deliver(step);
                long wake = step.nextWakeNanos();
                if (wake <= now) {
                    startIdleStepBy(now); // a preemption skipped admission: step again at once
                    continue;
                }
                long wait = pacer.wallNanosUntil(wake);
                if (wait <= 0) {
                    pacer.awaitSim(wake);
                    startIdleStepBy(wake);
                    continue;
                }
                Runnable c = wait == Long.MAX_VALUE ? commands.take() : commands.poll(wait, TimeUnit.NANOSECONDS);
                if (c != null) {
                    apply(c);
                } else {
                    startIdleStepBy(wake); // the wake-up time came, however late this thread woke
                }
            }
        } catch (InterruptedException e) {
            if (!closed) {
                log.error("engine driver {} interrupted", name);
            }
        } catch (RuntimeException | Error e) {
            log.error("engine driver {} died", name, e);
            throw e;
        }
    }

    private void drainCommands() {
        Runnable c;
        while ((c = commands.poll()) != null) {
            apply(c);
        }
    }

    private void apply(Runnable c) {
        c.run();
        publishStats();
    }

    private void deliver(StepResult step) {
        publishStats(); // listeners and observers see the state after this step
        if (!step.events().isEmpty() || !step.kvEvents().isEmpty() || !step.idle()) {
            safely(() -> observer.onStep(step));
        }
        long end = step.endNanos();
        for (CoreEvent e : step.events()) {
            Live l = live.get(e.requestId());
            if (e instanceof CoreEvent.FirstToken f) {
                if (l != null) {
                    l.lastToken = end;
                    safely(() -> observer.onFirstToken(f.requestId(), end - l.arrival));
                    safely(() -> l.listener.onFirstToken(f.cachedTokens()));
                }
            } else if (e instanceof CoreEvent.Token t) {
                if (l != null) {
                    long itl = end - l.lastToken;
                    l.lastToken = end;
                    safely(() -> observer.onToken(t.requestId(), itl));
                    safely(() -> l.listener.onToken(t.outputIndex()));
                }
            } else if (e instanceof CoreEvent.Finished fin) {
                live.remove(fin.requestId());
                if (!fin.kvBlockIds().isEmpty()) {
                    rememberPinned(fin.requestId());
                }
                safely(() -> observer.onFinished(fin));
                if (l != null) {
                    safely(() -> l.listener.onFinished(fin));
                }
            }
            // Preempted: the request recomputes and continues; nothing to tell the client
        }
        publishStats();
    }

    private void rememberPinned(String id) {
        if (pinned.size() >= 4096) {
            pinned.removeIf(p -> !core.isLive(p)); // pins the core let expire after the pickup timeout
        }
        pinned.add(id);
    }

    private void publishStats() {
        stats = core.stats();
        driverStats = new DriverStats(steps, busySim, lag, maxLag, live.size());
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("engine driver {}: a listener failed", name, e);
        }
    }

    /** A request being delivered. */
    private static final class Live {
        final RequestListener listener;
        final long arrival;
        long lastToken;

        Live(RequestListener listener, long arrival) {
            this.listener = listener;
            this.arrival = arrival;
        }
    }
}
