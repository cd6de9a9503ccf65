package dev.switchboard.gateway.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.switchboard.contract.prompt.PromptBlocks;
import dev.switchboard.contract.prompt.PromptText;
import dev.switchboard.contract.prompt.Tokenizer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads only what routing needs from an OpenAI chat or completion body in one streaming pass (no
 * tree is built, unknown fields are skipped without being materialised), then hashes the prompt.
 * Everything else stays in the original bytes, which are forwarded unchanged.
 *
 * <p>Field checks follow the OpenAI API: a wrong type for a routing field is a 400 naming the field.
 */
public final class OpenAiRequestParser {
    private static final JsonFactory JSON = new JsonFactory();
    private static final char[] NO_CHARS = new char[0];

    private final int blockTokens;

    public OpenAiRequestParser(int blockTokens) {
        this.blockTokens = blockTokens;
    }

    /**
     * Parses {@code body}.
     *
     * @throws InvalidRequestException for malformed JSON or invalid routing fields
     */
    public RoutingRequest parse(String requestId, byte[] body, boolean chat) {
        Fields f = new Fields();
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw InvalidRequestException.badRequest("We could not parse the JSON body of your request: the body is empty.",
                        null);
            }
            if (first != JsonToken.START_OBJECT) {
                throw InvalidRequestException.badRequest("The request body must be a JSON object.", null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                p.nextToken();
                readField(p, name, f);
            }
            if (p.nextToken() != null) {
                throw InvalidRequestException.badRequest("Unexpected content after the JSON object.", null);
            }
        } catch (JacksonException e) {
            throw InvalidRequestException.badRequest(
                    "We could not parse the JSON body of your request: " + e.getOriginalMessage(), null);
        }
        if (f.model == null || f.model.isBlank()) {
            throw InvalidRequestException.badRequest("You must provide a model parameter.", "model");
        }
        // the text is hashed where the parser left it: a 200 KB prompt is not copied into one canonical string
        PromptBlocks.Hasher prompt = new PromptBlocks.Hasher(f.model, f.cacheSalt, blockTokens);
        if (chat) {
            if (f.messages == null || f.messages.isEmpty()) {
                throw InvalidRequestException.badRequest("'messages' is required and must be a non-empty array.", "messages");
            }
            for (Message m : f.messages) {
                PromptText.appendMessage(prompt, m.role(), m.content());
            }
            PromptText.endChat(prompt);
        } else {
            if (f.prompt == null) {
                throw InvalidRequestException.badRequest("'prompt' is required.", "prompt");
            }
            prompt.append(PromptText.ofCompletion(f.prompt));
        }
        int maxTokens = chat && f.maxCompletionTokens != null ? f.maxCompletionTokens : f.maxTokens == null ? 0 : f.maxTokens;
        return new RoutingRequest(requestId, chat, f.model, f.stream, maxTokens, f.priority, f.user == null ? "" : f.user,
                Tokenizer.countTokens(Math.toIntExact(prompt.chars())), prompt.hashes());
    }

    /** A chat message as routing reads it: its content is the parser's characters, never made a string. */
    private record Message(String role, char[] content) {
    }

    private static final class Fields {
        String model;
        boolean stream;
        Integer maxTokens;
        Integer maxCompletionTokens;
        Integer priority;
        String user;
        String cacheSalt;
        List<Message> messages;
        String prompt;
    }

    private static void readField(JsonParser p, String name, Fields f) {
        switch (name) {
            case "model" -> f.model = string(p, name);
            case "stream" -> f.stream = bool(p, name);
            case "max_tokens" -> f.maxTokens = positiveInt(p, name);
            case "max_completion_tokens" -> f.maxCompletionTokens = positiveInt(p, name);
            case "priority" -> f.priority = p.currentToken() == JsonToken.VALUE_NULL ? null : integer(p, name);
            case "user" -> f.user = string(p, name);
            case "cache_salt" -> f.cacheSalt = string(p, name);
            case "messages" -> f.messages = messages(p);
            case "prompt" -> f.prompt = prompt(p);
            default -> p.skipChildren();
        }
    }

    private static List<Message> messages(JsonParser p) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw InvalidRequestException.badRequest("'messages' must be an array.", "messages");
        }
        List<Message> messages = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw InvalidRequestException.badRequest("Each message must be an object.", "messages");
            }
            String role = null;
            char[] content = NO_CHARS;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "role" -> role = string(p, "messages[].role");
                    case "content" -> content = content(p);
                    default -> p.skipChildren();
                }
            }
            if (role == null) {
                throw InvalidRequestException.badRequest("Each message must have a 'role'.", "messages");
            }
            messages.add(new Message(role, content));
        }
        return messages;
    }

    /** A message's text: a string, or the concatenated text of its {@code {"type":"text"}} parts. */
    private static char[] content(JsonParser p) {
        switch (p.currentToken()) {
            case VALUE_NULL:
                return NO_CHARS;
            case VALUE_STRING:
                int from = p.getStringOffset();
                return Arrays.copyOfRange(p.getStringCharacters(), from, from + p.getStringLength());
            case START_ARRAY:
                StringBuilder text = new StringBuilder();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() != JsonToken.START_OBJECT) {
                        throw InvalidRequestException.badRequest("Content parts must be objects.", "messages");
                    }
                    String type = null;
                    String partText = null;
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String field = p.currentName();
                        p.nextToken();
                        if ("type".equals(field)) {
                            type = string(p, "messages[].content[].type");
                        } else if ("text".equals(field)) {
                            partText = string(p, "messages[].content[].text");
                        } else {
                            p.skipChildren();
                        }
                    }
                    if ("text".equals(type) && partText != null) {
                        text.append(partText);
                    }
                }
                char[] chars = new char[text.length()];
                text.getChars(0, chars.length, chars, 0);
                return chars;
            default:
                throw InvalidRequestException.badRequest("Message content must be a string or an array of parts.", "messages");
        }
    }

    /** A completion prompt: a string, or an array of strings (joined, as one batch prompt is routed as one). */
    private static String prompt(JsonParser p) {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getString();
        }
        if (p.currentToken() == JsonToken.START_ARRAY) {
            StringBuilder text = new StringBuilder();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() == JsonToken.VALUE_STRING) {
                    text.append(p.getString());
                } else if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                    // token-id prompts: one id is one token; its decimal form keeps distinct prompts distinct
                    text.append(p.getString()).append(' ');
                } else if (p.currentToken() == JsonToken.START_ARRAY) {
                    p.skipChildren();
                } else {
                    throw InvalidRequestException.badRequest("'prompt' must be a string, an array of strings or token ids.",
                            "prompt");
                }
            }
            return text.toString();
        }
        throw InvalidRequestException.badRequest("'prompt' must be a string, an array of strings or token ids.", "prompt");
    }

    private static String string(JsonParser p, String name) {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw InvalidRequestException.badRequest("'" + name + "' must be a string.", name);
        }
        return p.getString();
    }

    private static boolean bool(JsonParser p, String name) {
        return switch (p.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE, VALUE_NULL -> false;
            default -> throw InvalidRequestException.badRequest("'" + name + "' must be a boolean.", name);
        };
    }

    private static int integer(JsonParser p, String name) {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw InvalidRequestException.badRequest("'" + name + "' must be an integer.", name);
        }
        return p.getIntValue();
    }

    private static Integer positiveInt(JsonParser p, String name) {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        int value = integer(p, name);
        if (value < 1) {
            throw InvalidRequestException.badRequest("'" + name + "' must be at least 1, but was " + value + ".", name);
        }
        return value;
    }
}
