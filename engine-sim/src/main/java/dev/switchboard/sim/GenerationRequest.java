package dev.switchboard.sim;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.contract.prompt.ChatMessage;
import dev.switchboard.contract.prompt.PromptText;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The parts of an OpenAI chat or completion request that the simulated engine acts on, parsed and
 * validated the way vLLM does (same status codes, same parameter names in errors).
 *
 * @param chat          whether this came from {@code /v1/chat/completions}
 * @param model         requested model
 * @param canonicalText prompt text as the shared tokenizer and block hashing see it
 * @param maxTokens     output cap, or 0 for "up to the natural answer length"
 * @param stream        SSE answer requested
 * @param includeUsage  {@code stream_options.include_usage}
 */
record GenerationRequest(boolean chat, String model, String canonicalText, int maxTokens, boolean stream,
        boolean includeUsage) {

    static GenerationRequest parse(ObjectMapper mapper, byte[] body, boolean chat) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JacksonException e) {
            throw EngineApiException.badRequest("Invalid JSON body: " + e.getOriginalMessage(), null);
        }
        if (root == null || !root.isObject()) {
            throw EngineApiException.badRequest("Request body must be a JSON object", null);
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isString() || model.stringValue().isBlank()) {
            throw EngineApiException.badRequest("Field 'model' is required and must be a string", "model");
        }
        String text = chat ? PromptText.ofChat(messages(root)) : PromptText.ofCompletion(prompt(root));
        int maxTokens = maxTokens(root, chat);
        boolean stream = root.path("stream").asBoolean(false);
        JsonNode streamOptions = root.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull() && !stream) {
            throw EngineApiException.badRequest("Stream options can only be defined when `stream=True`.", "stream_options");
        }
        boolean includeUsage = stream && streamOptions != null && streamOptions.path("include_usage").asBoolean(false);
        return new GenerationRequest(chat, model.stringValue(), text, maxTokens, stream, includeUsage);
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
