package dev.switchboard.sim;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.contract.prompt.ChatMessage;
import dev.switchboard.contract.prompt.PromptText;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The parts of a generation request that the simulated engine acts on, parsed and validated the way
 * vLLM (OpenAI endpoints) or SGLang ({@code /generate}) does: same status codes, same parameter names in
 * errors.
 *
 * @param api           which endpoint it came from
 * @param model         requested model ({@code null} for SGLang's {@code /generate}, which has none)
 * @param canonicalText prompt text as the shared tokenizer and block hashing see it ({@code null} when the
 *                      prompt came as {@code input_ids})
 * @param inputIds      prompt token ids ({@code /generate} with {@code input_ids}), else {@code null}
 * @param maxTokens     output cap, or 0 for "up to the natural answer length"
 * @param ignoreEos     {@code ignore_eos} (vLLM: top level; SGLang: {@code sampling_params}): generate up to the
 *                      cap instead of stopping at the answer's natural end
 * @param stream        streamed answer requested
 * @param includeUsage  {@code stream_options.include_usage}
 * @param cacheSalt     {@code cache_salt} (seeds the prompt's block hashes), or {@code null}
 * @param priority      {@code priority} (accepted, not used for scheduling: the core is FCFS)
 * @param kvTransfer    vLLM P/D {@code kv_transfer_params}, or {@code null}
 * @param bootstrap     SGLang P/D bootstrap fields, or {@code null}
 * @param rid           SGLang {@code rid}, or {@code null}
 */
record GenerationRequest(Api api, String model, String canonicalText, int[] inputIds, int maxTokens, boolean ignoreEos,
        boolean stream,
        boolean includeUsage, String cacheSalt, int priority, KvTransferParams kvTransfer, Bootstrap bootstrap,
        String rid) {

    /** SGLang's {@code max_new_tokens} default. */
    static final int SGLANG_DEFAULT_MAX_NEW_TOKENS = 128;

    /** The endpoint a request came from. */
    enum Api {
        /** {@code /v1/chat/completions}. */
        CHAT,
        /** {@code /v1/completions}. */
        COMPLETION,
        /** SGLang {@code /generate}. */
        GENERATE
    }

    /**
     * vLLM's {@code kv_transfer_params} (NixlConnector shape, engine-protocols.md 4.1).
     *
     * @param doRemoteDecode  this is a prefill leg: compute the prompt, keep the KV for a decode engine
     * @param doRemotePrefill this is a decode leg: the prompt's KV comes from {@code remoteEngineId}
     * @param remoteEngineId  the prefill engine
     * @param remoteRequestId the prefill leg's request id there
     */
    record KvTransferParams(boolean doRemoteDecode, boolean doRemotePrefill, String remoteEngineId,
            String remoteRequestId) {
    }

    /**
     * SGLang's PD bootstrap fields (engine-protocols.md 5.3).
     *
     * @param host prefill engine's host
     * @param port its bootstrap port
     * @param room the rendezvous id shared by both legs
     */
    record Bootstrap(String host, int port, long room) {
    }

    boolean chat() {
        return api == Api.CHAT;
    }

    /** Parses an OpenAI chat ({@code chat=true}) or completion request. */
    static GenerationRequest parse(ObjectMapper mapper, byte[] body, boolean chat) {
        JsonNode root = root(mapper, body);
        JsonNode model = root.get("model");
        if (model == null || !model.isString() || model.stringValue().isBlank()) {
            throw EngineApiException.badRequest("Field 'model' is required and must be a string", "model");
        }
        String text = chat ? PromptText.ofChat(messages(root)) : PromptText.ofCompletion(prompt(root));
        int maxTokens = maxTokens(root, chat);
        boolean stream = bool(root, "stream");
        JsonNode streamOptions = root.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull() && !stream) {
            throw EngineApiException.badRequest("Stream options can only be defined when `stream=True`.", "stream_options");
        }
        boolean includeUsage = stream && streamOptions != null && streamOptions.path("include_usage").asBoolean(false);
        return new GenerationRequest(chat ? Api.CHAT : Api.COMPLETION, model.stringValue(), text, null, maxTokens,
                bool(root, "ignore_eos"), stream,
                includeUsage, cacheSalt(root), priority(root), kvTransfer(root), bootstrap(root), null);
    }

    /** Parses an SGLang {@code /generate} request ({@code text} or {@code input_ids}, {@code sampling_params}). */
    static GenerationRequest parseGenerate(ObjectMapper mapper, byte[] body) {
        JsonNode root = root(mapper, body);
        JsonNode text = root.get("text");
        JsonNode ids = root.get("input_ids");
        boolean hasText = text != null && !text.isNull();
        boolean hasIds = ids != null && !ids.isNull();
        if (hasText == hasIds) {
            throw EngineApiException.badRequest("Either text or input_ids should be provided.", "text");
        }
        String canonical = null;
        int[] inputIds = null;
        if (hasText) {
            if (!text.isString()) {
                throw EngineApiException.badRequest("The simulator accepts 'text' as a single string", "text");
            }
            canonical = PromptText.ofCompletion(text.stringValue());
        } else {
            if (!ids.isArray() || ids.isEmpty()) {
                throw EngineApiException.badRequest("'input_ids' must be a non-empty array of token ids", "input_ids");
            }
            inputIds = new int[ids.size()];
            for (int i = 0; i < inputIds.length; i++) {
                JsonNode id = ids.get(i);
                if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                    throw EngineApiException.badRequest("'input_ids' must hold non-negative integers (one request; "
                            + "batches are not simulated)", "input_ids");
                }
                inputIds[i] = id.intValue();
            }
        }
        JsonNode sampling = root.path("sampling_params");
        int maxNew = SGLANG_DEFAULT_MAX_NEW_TOKENS;
        JsonNode maxNode = sampling.get("max_new_tokens");
        if (maxNode != null && !maxNode.isNull()) {
            if (!maxNode.isIntegralNumber() || !maxNode.canConvertToInt() || maxNode.intValue() < 0) {
                throw EngineApiException.badRequest("max_new_tokens must be a non-negative integer, got " + maxNode,
                        "max_new_tokens");
            }
            maxNew = Math.max(1, maxNode.intValue());
        }
        JsonNode rid = root.get("rid");
        return new GenerationRequest(Api.GENERATE, null, canonical, inputIds, maxNew, bool(sampling, "ignore_eos"),
                bool(root, "stream"), false, null,
                0, null, bootstrap(root), rid != null && rid.isString() ? rid.stringValue() : null);
    }

    private static JsonNode root(ObjectMapper mapper, byte[] body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JacksonException e) {
            throw EngineApiException.badRequest("Invalid JSON body: " + e.getOriginalMessage(), null);
        }
        if (root == null || !root.isObject()) {
            throw EngineApiException.badRequest("Request body must be a JSON object", null);
        }
        return root;
    }

    private static boolean bool(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw EngineApiException.badRequest("'" + field + "' must be a boolean", field);
        }
        return n.booleanValue();
    }

    private static String cacheSalt(JsonNode root) {
        JsonNode salt = root.get("cache_salt");
        if (salt == null || salt.isNull()) {
            return null;
        }
        if (!salt.isString() || salt.stringValue().isEmpty()) {
            throw EngineApiException.badRequest("Parameter 'cache_salt' must be a non-empty string if provided.",
                    "cache_salt");
        }
        return salt.stringValue();
    }

    private static int priority(JsonNode root) {
        JsonNode p = root.get("priority");
        if (p == null || p.isNull()) {
            return 0;
        }
        if (!p.isIntegralNumber() || !p.canConvertToInt()) {
            throw EngineApiException.badRequest("'priority' must be an integer", "priority");
        }
        return p.intValue();
    }

    private static KvTransferParams kvTransfer(JsonNode root) {
        JsonNode kv = root.get("kv_transfer_params");
        if (kv == null || kv.isNull()) {
            return null;
        }
        if (!kv.isObject()) {
            throw EngineApiException.badRequest("'kv_transfer_params' must be an object", "kv_transfer_params");
        }
        boolean decode = kv.path("do_remote_decode").asBoolean(false);
        boolean prefill = kv.path("do_remote_prefill").asBoolean(false);
        if (decode && prefill) {
            throw EngineApiException.badRequest("kv_transfer_params cannot set both do_remote_decode and "
                    + "do_remote_prefill", "kv_transfer_params");
        }
        JsonNode engine = kv.get("remote_engine_id");
        JsonNode request = kv.get("remote_request_id");
        return new KvTransferParams(decode, prefill, engine != null && !engine.isNull() ? engine.asString() : null,
                request != null && !request.isNull() ? request.asString() : null);
    }

    private static Bootstrap bootstrap(JsonNode root) {
        JsonNode room = root.get("bootstrap_room");
        if (room == null || room.isNull()) {
            return null;
        }
        if (!room.isIntegralNumber() || !room.canConvertToLong()) {
            throw EngineApiException.badRequest("'bootstrap_room' must be an integer (one request; batches are not "
                    + "simulated)", "bootstrap_room");
        }
        JsonNode port = root.get("bootstrap_port");
        return new Bootstrap(root.path("bootstrap_host").asString(""),
                port != null && port.canConvertToInt() ? port.intValue() : 0, room.longValue());
    }

    private static List<ChatMessage> messages(JsonNode root) {
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw EngineApiException.badRequest("Field 'messages' is required and must be a non-empty array", "messages");
        }
        List<ChatMessage> result = new ArrayList<>(messages.size());
        for (JsonNode m : messages) {
            JsonNode role = m.get("role");
            if (role == null || !role.isString()) {
                throw EngineApiException.badRequest("Every message needs a string 'role'", "messages");
            }
            result.add(new ChatMessage(role.stringValue(), contentText(m.get("content"))));
        }
        return result;
    }

    private static String contentText(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isString()) {
            return content.stringValue();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if ("text".equals(part.path("type").asString(""))) {
                    text.append(part.path("text").asString(""));
                }
            }
            return text.toString();
        }
        throw EngineApiException.badRequest("Message 'content' must be a string or an array of parts", "messages");
    }

    private static String prompt(JsonNode root) {
        JsonNode prompt = root.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw EngineApiException.badRequest("Field 'prompt' is required", "prompt");
        }
        if (prompt.isString()) {
            return prompt.stringValue();
        }
        if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isString()) {
            return prompt.get(0).stringValue();
        }
        throw EngineApiException.badRequest("The simulator accepts 'prompt' as a string or a one-element string array",
                "prompt");
    }

    private static int maxTokens(JsonNode root, boolean chat) {
        JsonNode node = chat && root.hasNonNull("max_completion_tokens") ? root.get("max_completion_tokens")
                : root.get("max_tokens");
        String param = chat && root.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
            throw EngineApiException.badRequest(param + " must be at least 1, got " + node, param);
        }
        return node.intValue();
    }
}
