package dev.switchboard.observability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A small, bounded mix of client traffic through the gateway that exercises every path the dashboards
 * show: streaming and non-streaming chat, plain completions, a shared system prompt (prefix-cache
 * hits), long uncached prompts (prefill/decode disaggregation), a repeated long prompt (predicted and
 * engine-reported cached tokens), an unknown model (a 4xx), for two tenants.
 */
final class LightLoad {
    private static final String SYSTEM = "You are a helpful assistant for a GPU cloud that serves large language models. "
            + "Answer briefly and precisely, cite the relevant setting when you can, and never invent numbers. "
            + "The cluster runs continuous batching engines with paged KV caches and prefix caching enabled.";
    private static final String[] QUESTIONS = {"What is a KV cache?", "Why does batching help throughput?",
        "What is time to first token?", "When is disaggregated prefill worth it?", "What does prefix caching save?",
        "How do I size max_num_seqs?"};

    private LightLoad() {
    }

    /** Sends the mix with {@code concurrency} clients; returns how many requests ended with each status. */
    static Map<Integer, Integer> run(LocalSuite suite, int concurrency, long timeoutSeconds) throws Exception {
        List<Callable<Integer>> calls = new ArrayList<>();
        for (String tenant : new TreeMap<>(LocalSuite.TENANT_KEYS).keySet()) {
            String longShared = longPrompt(tenant.hashCode(), 1500);
            for (int i = 0; i < 12; i++) {
                String body = chat(SYSTEM, QUESTIONS[i % QUESTIONS.length] + " (" + tenant + " #" + i + ")", true, 16);
                calls.add(() -> suite.post("/v1/chat/completions", tenant, body));
            }
            for (int i = 0; i < 4; i++) {
                String body = chat(SYSTEM, QUESTIONS[i % QUESTIONS.length], false, 12);
                calls.add(() -> suite.post("/v1/chat/completions", tenant, body));
            }
            for (int i = 0; i < 2; i++) {
                String body = "{\"model\":\"" + LocalSuite.MODEL + "\",\"prompt\":\"" + SYSTEM + " Q: " + QUESTIONS[i]
                        + " A:\",\"max_tokens\":12,\"stream\":" + (i == 0) + streamOptions(i == 0) + "}";
                calls.add(() -> suite.post("/v1/completions", tenant, body));
            }
            // long prompts: the first of two identical ones and a distinct one are uncached (disaggregated);
            // the repeat finds its prefix cached
            String distinct = longPrompt(tenant.hashCode() * 31 + 7, 1500);
            calls.add(() -> suite.post("/v1/chat/completions", tenant, chat(SYSTEM, longShared, true, 16)));
            calls.add(() -> suite.post("/v1/chat/completions", tenant, chat(SYSTEM, distinct, true, 16)));
            calls.add(() -> suite.post("/v1/chat/completions", tenant, chat(SYSTEM, "unknown model", true, 8)
                    .replace("\"model\":\"" + LocalSuite.MODEL + "\"", "\"model\":\"no-such-model\"")));
            // sent after the first batch completed, so the first copy's blocks are cached by then
            calls.add(() -> {
                Thread.sleep(1500);
                return suite.post("/v1/chat/completions", tenant, chat(SYSTEM, longShared, true, 16));
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<Integer>> results = pool.invokeAll(calls, timeoutSeconds, TimeUnit.SECONDS);
            Map<Integer, Integer> byStatus = new TreeMap<>();
            for (Future<Integer> f : results) {
                int status = f.isCancelled() ? -1 : f.get();
                byStatus.merge(status, 1, Integer::sum);
            }
            return byStatus;
        } finally {
            pool.shutdownNow();
        }
    }

    static String chat(String system, String user, boolean stream, int maxTokens) {
        return "{\"model\":\"" + LocalSuite.MODEL + "\",\"stream\":" + stream + streamOptions(stream) + ",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"system\",\"content\":\"" + system + "\"},{\"role\":\"user\",\"content\":\""
                + user + "\"}]}";
    }

    private static String streamOptions(boolean stream) {
        return stream ? ",\"stream_options\":{\"include_usage\":true}" : "";
    }

    /** Deterministic filler text of {@code words} words (no characters that need JSON escaping). */
    static String longPrompt(long seed, int words) {
        String[] vocabulary = {"tensor", "cache", "block", "prefill", "decode", "token", "batch", "kernel", "memory",
            "bandwidth", "latency", "queue", "engine", "router", "prefix", "hash", "layer", "head", "attention", "page"};
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder("Summarise this log: ");
        for (int i = 0; i < words; i++) {
            sb.append(vocabulary[random.nextInt(vocabulary.length)]).append(random.nextInt(1000)).append(' ');
        }
        return sb.toString();
    }
}
