package dev.switchboard.contract.prompt;

import java.util.Objects;

/**
 * One chat message reduced to what caching depends on: its role and its text content (the text
 * parts of a multi-part content, concatenated in order).
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        content = content == null ? "" : content;
    }
}
