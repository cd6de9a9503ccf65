package dev.switchboard.contract.prompt;

import java.util.List;

/**
 * The canonical text of a prompt: what {@link PromptBlocks} hashes and {@link Tokenizer} counts.
 *
 * <p>A chat becomes, per message, {@code <|role|>} + content + {@code \n}, followed by the
 * assistant header that every chat template appends before generation. The marker makes role
 * boundaries part of the text, so moving text between messages changes the hashes, while two
 * requests with the same leading messages share a leading run of blocks.
 */
public final class PromptText {
    private static final String ASSISTANT_HEADER = "<|assistant|>";

    private PromptText() {
    }

    /** Canonical text of a chat completion request's messages. */
    public static String ofChat(List<ChatMessage> messages) {
        int length = ASSISTANT_HEADER.length();
        for (ChatMessage m : messages) {
            length += m.role().length() + m.content().length() + 5;
        }
        StringBuilder text = new StringBuilder(length);
        for (ChatMessage m : messages) {
            text.append("<|").append(m.role()).append("|>").append(m.content()).append('\n');
        }
        return text.append(ASSISTANT_HEADER).toString();
    }

    /**
     * Appends one chat message's canonical text to {@code hasher}: the messages in order, then {@link #endChat},
     * hash as {@link #ofChat} of them does, without building the whole text.
     */
    public static void appendMessage(PromptBlocks.Hasher hasher, String role, char[] content) {
        hasher.append("<|").append(role).append("|>").append(content, 0, content.length).append("\n");
    }

    /** Appends the end of a chat's canonical text (see {@link #appendMessage}). */
    public static void endChat(PromptBlocks.Hasher hasher) {
        hasher.append(ASSISTANT_HEADER);
    }

    /** Canonical text of a completion request's prompt: the prompt itself. */
    public static String ofCompletion(String prompt) {
        return prompt;
    }
}
