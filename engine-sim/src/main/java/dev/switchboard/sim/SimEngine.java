package dev.switchboard.sim;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.EngineRole;
import dev.switchboard.contract.prompt.PromptBlocks;
import dev.switchboard.contract.prompt.Tokenizer;
import dev.switchboard.sim.core.CalibratedStepCostModel;
import dev.switchboard.sim.core.CoreEvent;
import dev.switchboard.sim.core.CoreRequest;
import dev.switchboard.sim.core.EngineConfig;
import dev.switchboard.sim.core.EngineCore;
import dev.switchboard.sim.core.FinishReason;
import dev.switchboard.sim.core.FixedStepCostModel;
import dev.switchboard.sim.core.StepCostModel;
import dev.switchboard.sim.driver.DriverObserver;
import dev.switchboard.sim.driver.EngineDriver;
import dev.switchboard.sim.driver.Pacer;
import dev.switchboard.sim.driver.RequestListener;
import dev.switchboard.sim.kvevents.KvEventEncoder;
import dev.switchboard.sim.kvevents.ZmqKvEventPublisher;
import dev.switchboard.sim.metrics.EngineMetrics;
import dev.switchboard.sim.metrics.SglangMetrics;
import dev.switchboard.sim.metrics.VllmMetrics;
import dev.switchboard.sim.pd.PdDirectory;
import net.openhft.hashing.LongHashFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * One simulated engine as its HTTP surface sees it: validates and plans requests, runs them on the
 * engine's {@link EngineDriver} (which owns the {@link EngineCore}), and turns core events into answer
 * tokens. Also holds the engine's metrics, KV-event publisher and fault state.
 */
final class SimEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SimEngine.class);

    private final SimProperties.Engine config;
    private final String bindHost;
    private final EngineDriver driver;
    private final EngineMetrics metrics;
    private final ZmqKvEventPublisher kvEvents;
    private final PdDirectory pd;
    private final FaultState faults;
    private final AtomicLong ids = new AtomicLong();

    private SimEngine(SimProperties.Engine config, String bindHost, EngineDriver driver, EngineMetrics metrics,
            ZmqKvEventPublisher kvEvents, PdDirectory pd, FaultState faults) {
        this.config = config;
        this.bindHost = bindHost;
        this.driver = driver;
        this.metrics = metrics;
        this.kvEvents = kvEvents;
        this.pd = pd;
        this.faults = faults;
    }

    /**
     * Builds and starts an engine: core, driver thread, metrics, KV-event sockets, P/D registration.
     *
     * @param random fault-injection dice, uniform in [0, 1)
     */
    static SimEngine start(SimProperties properties, SimProperties.Engine config, PdDirectory pd, Clock clock,
            DoubleSupplier random) {
        EngineConfig coreConfig = config.coreConfig();
        StepCostModel cost = config.tokenDelay() != null
                ? new FixedStepCostModel(config.tokenDelay().toNanos(), config.gpuProfile().model().kvBytesPerToken())
                : new CalibratedStepCostModel(config.gpuProfile());
        EngineCore core = new EngineCore(coreConfig, cost);
        Pacer pacer = properties.instant() ? Pacer.instant() : Pacer.scaled(properties.speed());
        EngineDriver[] holder = new EngineDriver[1];
        EngineMetrics metrics = config.kind() == EngineKind.SGLANG
                ? new SglangMetrics(config.model(), config.role().wireName(), coreConfig, () -> holder[0].stats(),
                        () -> holder[0].now())
                : new VllmMetrics(config.model(), "0", coreConfig, config.maxModelLen(), config.numGpuBlocksOverride(),
                        () -> holder[0].stats());
        ZmqKvEventPublisher publisher = null;
        if (config.kvEventsEndpoint() != null) {
            KvEventEncoder.Format format = config.kvEventsFormat() == SimProperties.KvEventsFormat.MAP
                    ? KvEventEncoder.Format.MAP : KvEventEncoder.Format.ARRAY;
            publisher = new ZmqKvEventPublisher(config.kvEventsEndpoint(), config.kvEventsReplayEndpoint(),
                    config.kvEventsTopic(), format, clock, config.id()).start();
        }
        DriverObserver observer = publisher == null ? metrics : DriverObserver.all(metrics, publisher);
        EngineDriver driver = new EngineDriver(config.id(), core, pacer, observer);
        holder[0] = driver;
        driver.start();
        pd.register(config.id(), driver::releaseKv);
        SimEngine engine = new SimEngine(config, properties.bindHost(), driver, metrics, publisher, pd,
                new FaultState(config.faults(), random));
        engine.applyFaultsToDriver(config.faults());
        log.info("engine '{}': {} on {}, {} KV blocks of {} tokens ({} tokens), budget {} tokens / {} seqs, {}",
                config.id(), config.calibrationModel(), config.gpu(), coreConfig.numGpuBlocks(), coreConfig.blockSize(),
                coreConfig.kvCapacityTokens(), coreConfig.tokenBudget(), coreConfig.maxNumSeqs(), cost);
        return engine;
    }

    SimProperties.Engine config() {
        return config;
    }

    EngineDriver driver() {
        return driver;
    }

    EngineMetrics metrics() {
        return metrics;
    }

    FaultState faults() {
        return faults;
    }

    /** The host a prefill leg names as {@code remote_host}. */
    String bindHostForPd() {
        return bindHost;
    }

    /** Replaces the fault settings' effect on the core (slowdown, hang); crash is the server's business. */
    void applyFaultsToDriver(SimProperties.Faults f) {
        driver.setSlowdown(f.slowdown());
        driver.setPaused(f.hang());
    }

    @Override
    public void close() {
        pd.unregister(config.id());
        driver.close();
        if (kvEvents != null) {
            kvEvents.close();
        }
    }

    // ------------------------------------------------------------------ planning

    /** Which part of a (possibly disaggregated) request this engine runs. */
    enum Leg {
        /** Prefill and decode here. */
        WHOLE,
        /** vLLM prefill leg ({@code do_remote_decode}): prompt only, KV kept for the decode engine. */
        VLLM_PREFILL,
        /** vLLM decode leg ({@code do_remote_prefill}): the prompt's KV is transferred in. */
        VLLM_DECODE,
        /** SGLang prefill engine with a bootstrap room. */
        SGLANG_PREFILL,
        /** SGLang decode engine with a bootstrap room: waits for the room's prefill, then decodes. */
        SGLANG_DECODE
    }

    /**
     * A validated request, ready to run.
     *
     * @param id               the engine's request id ({@code remote_request_id} of a prefill leg)
     * @param request          the parsed request
     * @param leg              what this engine does
     * @param promptTokens     prompt length
     * @param completionTokens tokens the answer will have (unless aborted)
     * @param finishReason     {@code stop} or {@code length}
     * @param answer           the token texts
     * @param core             what the core runs
     */
    record Plan(String id, GenerationRequest request, Leg leg, int promptTokens, int completionTokens,
            String finishReason, AnswerText answer, CoreRequest core) {
    }

    /** Validates a request against this engine and plans its answer (throws {@link EngineApiException}). */
    Plan plan(GenerationRequest request) {
        if (config.kind() == EngineKind.VLLM && request.model() != null && !config.model().equals(request.model())) {
            throw EngineApiException.notFound("The model `" + request.model() + "` does not exist.", "model");
        }
        Leg leg = leg(request);
        int promptTokens = request.inputIds() != null ? request.inputIds().length
                : Tokenizer.countTokens(request.canonicalText());
        String promptParam = request.api() == GenerationRequest.Api.CHAT ? "messages"
                : request.api() == GenerationRequest.Api.GENERATE ? "text" : "prompt";
        if (promptTokens == 0) {
            throw EngineApiException.badRequest("The prompt is empty: it must contain at least one token.", promptParam);
        }
        long seed = request.inputIds() != null ? LongHashFunction.xx3().hashInts(request.inputIds())
                : LongHashFunction.xx3().hashChars(request.canonicalText());
        int[] range = config.outputRange();
        AnswerText answer = new AnswerText(seed, range[0], range[1]);
        int budget = config.maxModelLen() - promptTokens;
        if (budget < 1 || (request.maxTokens() > 0 && request.maxTokens() > budget)) {
            int requested = request.maxTokens() > 0 ? request.maxTokens() : 1;
            throw EngineApiException.badRequest("This model's maximum context length is " + config.maxModelLen()
                    + " tokens. However, you requested " + requested + " output tokens and your prompt contains at least "
                    + promptTokens + " input tokens, for a total of at least " + (promptTokens + requested) + " tokens.",
                    promptParam);
        }
        if (leg == Leg.VLLM_PREFILL && request.stream()) {
            // vLLM's proxies send the prefill leg with stream=false; a streamed prefill has nothing to stream
            throw EngineApiException.badRequest("A prefill request (kv_transfer_params.do_remote_decode=true) must be "
                    + "sent with stream=false: it returns kv_transfer_params in one JSON response.", "stream");
        }
        String id = config.id() + "-" + ids.incrementAndGet();
        long[] hashes = request.inputIds() != null ? null
                : PromptBlocks.hash(config.model(), request.cacheSalt(), request.canonicalText(), config.blockSize());
        boolean prefillOnly = leg == Leg.VLLM_PREFILL || leg == Leg.SGLANG_PREFILL;
        int cap = prefillOnly ? 1 : request.maxTokens() > 0 ? request.maxTokens() : budget;
        // ignore_eos: the model never ends on its own, so only the cap ends the answer (finish "length")
        int natural = request.ignoreEos() ? Integer.MAX_VALUE : answer.naturalLength();
        int completion = prefillOnly ? 1 : Math.min(natural, cap);
        String finish = prefillOnly || natural > cap ? "length" : "stop";
        CoreRequest core = (hashes != null ? CoreRequest.ofBlockHashes(id, hashes, promptTokens, cap, 0)
                : CoreRequest.ofTokenIds(id, request.inputIds(), cap, 0))
                .withContentKey(seed) // the same prompt always gets the same answer, so its output blocks are shared too
                .withStopAfter(prefillOnly || natural > cap ? 0 : natural)
                .withRemoteDecode(prefillOnly)
                .withPrefilledRemotely(leg == Leg.VLLM_DECODE || leg == Leg.SGLANG_DECODE);
        return new Plan(id, request, leg, promptTokens, completion, finish, answer, core);
    }

    private Leg leg(GenerationRequest request) {
        GenerationRequest.KvTransferParams kv = request.kvTransfer();
        if (kv != null && kv.doRemoteDecode()) {
            return Leg.VLLM_PREFILL;
        }
        if (kv != null && kv.doRemotePrefill()) {
            return Leg.VLLM_DECODE;
        }
        if (request.bootstrap() != null && config.kind() == EngineKind.SGLANG) {
            if (config.role() == EngineRole.PREFILL) {
                return Leg.SGLANG_PREFILL;
            }
            if (config.role() == EngineRole.DECODE) {
                return Leg.SGLANG_DECODE;
            }
        }
        return Leg.WHOLE;
    }

    // ------------------------------------------------------------------ running

    /** What a running request produces. */
    sealed interface Signal permits Token, Done {
    }

    /**
     * One output token.
     *
     * @param index 0-based position in the answer
     * @param text  its text
     * @param last  whether it ends the answer
     */
    record Token(int index, String text, boolean last) implements Signal {
    }

    /**
     * The request finished (never with {@code abort}: an aborted request ends the flux with an error).
     *
     * @param finished the core's report (cached tokens, pinned block ids, times)
     */
    record Done(CoreEvent.Finished finished) implements Signal {
    }

    /**
     * Runs a planned request: tokens, then one {@link Done}. Cancelling the subscription (client gone) aborts it
     * in the core. The flux errors with {@link EngineApiException} if the core refuses it, the P/D rendezvous
     * fails, or the request is aborted (crash).
     */
    Flux<Signal> run(Plan plan) {
        if (plan.leg() == Leg.SGLANG_DECODE) {
            long room = plan.request().bootstrap().room();
            return pd.awaitPrefill(room, config.bootstrapTimeout())
                    .onErrorMap(TimeoutException.class, e -> EngineApiException.internal("KV transfer for bootstrap room "
                            + room + " failed: no prefill result within " + config.bootstrapTimeout()))
                    .onErrorMap(e -> !(e instanceof EngineApiException),
                            e -> EngineApiException.internal("KV transfer for bootstrap room " + room + " failed: "
                                    + e.getMessage()))
                    .flatMapMany(kv -> submit(plan, kv.engineId(), kv.requestId()));
        }
        GenerationRequest.KvTransferParams kv = plan.request().kvTransfer();
        if (plan.leg() == Leg.VLLM_DECODE) {
            return submit(plan, kv.remoteEngineId(), kv.remoteRequestId());
        }
        return submit(plan, null, null);
    }

    private Flux<Signal> submit(Plan plan, String remoteEngine, String remoteRequest) {
        return Flux.create(sink -> {
            Listener listener = new Listener(plan, sink, remoteEngine, remoteRequest);
            sink.onCancel(() -> driver.abort(plan.id()));
            driver.submit(plan.core(), listener);
        });
    }

    /** Bridges driver callbacks (driver thread) to the request's flux. */
    private final class Listener implements RequestListener {
        private final Plan plan;
        private final FluxSink<Signal> sink;
        private final String remoteEngine;
        private final String remoteRequest;

        Listener(Plan plan, FluxSink<Signal> sink, String remoteEngine, String remoteRequest) {
            this.plan = plan;
            this.sink = sink;
            this.remoteEngine = remoteEngine;
            this.remoteRequest = remoteRequest;
        }

        @Override
        public void onFirstToken(int cachedTokens) {
            if (remoteRequest != null) {
                // the KV has landed here: the prefill engine may free its copy (NIXL's notify / SGLang's done)
                pd.release(remoteEngine, remoteRequest);
            }
            sink.next(new Token(0, plan.answer().nextToken(), plan.completionTokens() == 1));
        }

        @Override
        public void onToken(int outputIndex) {
            sink.next(new Token(outputIndex, plan.answer().nextToken(), outputIndex == plan.completionTokens() - 1));
        }

        @Override
        public void onFinished(CoreEvent.Finished finished) {
            boolean roomed = plan.leg() == Leg.SGLANG_PREFILL;
            if (finished.reason() == FinishReason.ABORT) {
                if (roomed) {
                    pd.prefillFailed(plan.request().bootstrap().room(), "prefill request " + plan.id() + " was aborted");
                }
                sink.error(new RequestAbortedException("request " + plan.id() + " was aborted"));
                return;
            }
            if (roomed) {
                pd.prefillDone(plan.request().bootstrap().room(),
                        new PdDirectory.PrefilledKv(config.id(), plan.id(), plan.promptTokens()));
            }
            sink.next(new Done(finished));
            sink.complete();
        }

        @Override
        public void onRejected(String message) {
            if (plan.leg() == Leg.SGLANG_PREFILL) {
                pd.prefillFailed(plan.request().bootstrap().room(), message);
            }
            sink.error(EngineApiException.badRequest(message, null));
        }
    }

    /** Fault settings and the dice for the error rate. */
    static final class FaultState {
        private volatile SimProperties.Faults current;
        private final DoubleSupplier random;

        FaultState(SimProperties.Faults initial, DoubleSupplier random) {
            this.current = Objects.requireNonNull(initial, "initial");
            this.random = Objects.requireNonNull(random, "random");
        }

        SimProperties.Faults current() {
            return current;
        }

        void set(SimProperties.Faults faults) {
            this.current = Objects.requireNonNull(faults, "faults");
        }

        /** Whether this generation request draws an injected error. */
        boolean injectError() {
            double rate = current.errorRate();
            return rate > 0 && random.getAsDouble() < rate;
        }
    }
}
