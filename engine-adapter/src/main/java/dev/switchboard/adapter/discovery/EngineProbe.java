package dev.switchboard.adapter.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import dev.switchboard.adapter.AdapterJson;
import dev.switchboard.contract.EngineKind;
import dev.switchboard.contract.metrics.MetricScrape;
import dev.switchboard.contract.metrics.PrometheusText;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Asks an engine what it is and how its KV cache is shaped, through the engine's own endpoints
 * ({@code research/engine-protocols.md} sections 1, 2 and 5):
 * <ul>
 *   <li>kind: SGLang answers {@code /server_info} (older: {@code /get_server_info}) with its server
 *       arguments; vLLM answers {@code /version} with {@code {"version": ...}}. SGLang is asked first
 *       because a {@code /version} alone does not rule SGLang out.</li>
 *   <li>vLLM: block size and capacity from the labels of {@code vllm:cache_config_info}
 *       ({@code block_size} x {@code num_gpu_blocks}, summed over data-parallel engines); longest
 *       context from {@code /v1/models} ({@code max_model_len}).</li>
 *   <li>SGLang: {@code page_size} and {@code max_total_num_tokens} from server info (top level or
 *       {@code internal_states[0]}), else {@code sglang:cache_config_info} ({@code page_size} x
 *       {@code num_pages}); longest context from {@code context_length}.</li>
 * </ul>
 * An engine that cannot be connected to fails the probe (retried later); an engine that answers but
 * lacks a fact yields 0 for it (and a note).
 */
public final class EngineProbe {
    /** The engine could not be connected to (not started yet, or down). */
    public static final class EngineUnreachableException extends RuntimeException {
        public EngineUnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The engine answered, but not as vLLM or SGLang does. */
    public static final class UnknownEngineException extends RuntimeException {
        public UnknownEngineException(String message) {
            super(message);
        }
    }

    record Http(int status, String body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final WebClient client;
    private final Duration timeout;

    public EngineProbe(WebClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** Detects the engine kind. */
    public Mono<EngineKind> detectKind(String baseUrl) {
        return serverInfo(baseUrl).flatMap(info -> info.isPresent() ? Mono.just(EngineKind.SGLANG)
                : get(baseUrl + "/version").flatMap(version -> {
                    JsonNode v = json(version);
                    if (version.ok() && v != null && v.has("version")) {
                        return Mono.just(EngineKind.VLLM);
                    }
                    return Mono.error(new UnknownEngineException("engine at " + baseUrl + " is neither SGLang (no /server_info "
                            + "or /get_server_info) nor vLLM (/version answered " + version.status() + ")"));
                }));
    }

    /** Reads the KV and context facts of an engine of known kind. */
    public Mono<EngineFacts> facts(EngineKind kind, String baseUrl, String model) {
        return switch (kind) {
            case VLLM -> vllmFacts(baseUrl, model);
            case SGLANG -> sglangFacts(baseUrl);
        };
    }

    private Mono<EngineFacts> vllmFacts(String baseUrl, String model) {
        Mono<Http> metrics = get(baseUrl + "/metrics");
        Mono<Http> models = get(baseUrl + "/v1/models").onErrorResume(EngineUnreachableException.class,
                e -> Mono.just(new Http(0, "")));
        return metrics.zipWith(models, (m, v) -> {
            List<String> notes = new ArrayList<>();
            int blockSize = 0;
            long capacity = 0;
            if (!m.ok()) {
                notes.add("/metrics answered " + m.status());
            } else {
                long[] kv = cacheConfig(m.body(), "vllm:cache_config_info", "block_size", "num_gpu_blocks", notes);
                blockSize = (int) kv[0];
                capacity = kv[0] * kv[1];
            }
            int modelLen = 0;
            JsonNode list = v.ok() ? json(v) : null;
            if (list != null && list.path("data").isArray()) {
                for (JsonNode card : list.path("data")) {
                    if (model.equals(card.path("id").asString("")) && card.path("max_model_len").canConvertToInt()) {
                        modelLen = card.path("max_model_len").asInt();
                    }
                }
            }
            if (modelLen == 0) {
                notes.add("no max_model_len for '" + model + "' in /v1/models");
            }
            return new EngineFacts(blockSize, capacity, modelLen, notes);
        });
    }

    private Mono<EngineFacts> sglangFacts(String baseUrl) {
        return serverInfo(baseUrl).flatMap(found -> {
            if (found.isEmpty()) {
                return Mono.just(EngineFacts.none("no SGLang server info"));
            }
            JsonNode info = found.get();
            List<String> notes = new ArrayList<>();
            JsonNode state = info.path("internal_states").path(0);
            int pageSize = 0;
            if (info.has("page_size")) {
                // SGLang's default page size is 1 token (a null page_size means that default)
                pageSize = info.get("page_size").isNull() ? 1 : info.get("page_size").asInt(0);
            }
            long capacity = first(info, state, "max_total_num_tokens");
            int modelLen = (int) first(info, state, "context_length");
            if (pageSize > 0 && capacity > 0) {
                return Mono.just(new EngineFacts(pageSize, capacity, modelLen, notes));
            }
            int knownPage = pageSize;
            long knownCapacity = capacity;
            return get(baseUrl + "/metrics").map(m -> {
                long[] kv = m.ok() ? cacheConfig(m.body(), "sglang:cache_config_info", "page_size", "num_pages", notes)
                        : new long[] {0, 0};
                if (!m.ok()) {
                    notes.add("/metrics answered " + m.status());
                }
                int page = knownPage > 0 ? knownPage : (int) kv[0];
                long cap = knownCapacity > 0 ? knownCapacity : kv[0] * kv[1];
                return new EngineFacts(page, cap, modelLen, notes);
            });
        });
    }

    /** SGLang's server info, or empty if neither {@code /server_info} nor {@code /get_server_info} answers with one. */
    private Mono<Optional<JsonNode>> serverInfo(String baseUrl) {
        return get(baseUrl + "/server_info").flatMap(h -> {
            JsonNode info = h.ok() ? json(h) : null;
            if (info != null && info.isObject()) {
                return Mono.just(Optional.of(info));
            }
            return get(baseUrl + "/get_server_info").map(old -> {
                JsonNode oldInfo = old.ok() ? json(old) : null;
                return oldInfo != null && oldInfo.isObject() ? Optional.of(oldInfo) : Optional.<JsonNode>empty();
            });
        });
    }

    /** block size and block count from the labels of an info gauge, summed over series (DP ranks). */
    static long[] cacheConfig(String metricsText, String infoName, String blockLabel, String countLabel, List<String> notes) {
        MetricScrape scrape;
        try {
            scrape = PrometheusText.parse(metricsText, Set.of(infoName)::contains);
        } catch (PrometheusText.ParseException e) {
            notes.add("/metrics is malformed: " + e.getMessage());
            return new long[] {0, 0};
        }
        long block = 0;
        long blocks = 0;
        for (PrometheusText.Sample s : scrape.samples(infoName)) {
            Map<String, String> labels = s.labels();
            long b = parseLong(labels.get(blockLabel));
            long n = parseLong(labels.get(countLabel));
            if (b > 0) {
                block = b;
            }
            if (n > 0) {
                blocks += n;
            }
        }
        if (block == 0) {
            notes.add("no " + infoName + "{" + blockLabel + "} in /metrics");
        }
        if (blocks == 0) {
            notes.add("no " + infoName + "{" + countLabel + "} in /metrics");
        }
        return new long[] {block, blocks};
    }

    private static long first(JsonNode info, JsonNode state, String field) {
        if (info.path(field).canConvertToLong() && info.path(field).asLong() > 0) {
            return info.path(field).asLong();
        }
        if (state.path(field).canConvertToLong() && state.path(field).asLong() > 0) {
            return state.path(field).asLong();
        }
        return 0;
    }

    private static long parseLong(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static JsonNode json(Http http) {
        try {
            return http.body().isBlank() ? null : AdapterJson.MAPPER.readTree(http.body());
        } catch (RuntimeException e) {
            return null;
        }
    }

    Mono<Http> get(String url) {
        return client.get().uri(url)
                .exchangeToMono(r -> r.bodyToMono(String.class).defaultIfEmpty("").map(b -> new Http(r.statusCode().value(), b)))
                .timeout(timeout)
                .onErrorMap(WebClientRequestException.class,
                        e -> new EngineUnreachableException(url + ": " + e.getMostSpecificCause().getMessage(), e))
                .onErrorMap(java.util.concurrent.TimeoutException.class,
                        e -> new EngineUnreachableException(url + ": no answer within " + timeout, e));
    }
}
