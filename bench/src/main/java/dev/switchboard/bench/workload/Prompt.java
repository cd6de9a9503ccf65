package dev.switchboard.bench.workload;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.contract.prompt.ChatMessage;
import dev.switchboard.contract.prompt.PromptText;

/**
 * A lazily rendered chat prompt: messages made of {@link TextSegment}s.
 *
 * <p>{@link #contentTokens()} counts the message contents only; the canonical text the gateway hashes
 * ({@link PromptText#ofChat}) adds a few tokens of role markers per message.
 *
 * @param messages the chat messages, at least one
 */
public record Prompt(List<PromptMessage> messages) {
    public Prompt {
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a prompt needs at least one message");
        }
    }

    /** A prompt of one user message. */
    public static Prompt user(List<TextSegment> segments) {
        return new Prompt(List.of(new PromptMessage("user", segments)));
    }

    /** Content tokens of all messages. */
    public int contentTokens() {
        int sum = 0;
        for (PromptMessage m : messages) {
            sum = Math.addExact(sum, m.tokens());
        }
        return sum;
    }

    /** The chat messages with their text, drawn from {@code text}. */
    public List<ChatMessage> render(SyntheticText text) {
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (PromptMessage m : messages) {
            StringBuilder content = new StringBuilder(SyntheticText.charsOf(m.tokens()));
            for (TextSegment s : m.segments()) {
                text.appendTo(content, s);
            }
            out.add(new ChatMessage(m.role(), content.toString()));
        }
        return out;
    }

    /** The canonical text ({@link PromptText#ofChat}) the gateway would hash for this prompt. */
    public String canonicalText(SyntheticText text) {
        return PromptText.ofChat(render(text));
    }
}
