package dev.switchboard.adapter.discovery;

import java.util.List;

/**
 * What an engine said about itself; 0 marks a fact it did not tell.
 *
 * @param kvBlockSize      tokens per KV block / page
 * @param kvCapacityTokens tokens its KV cache holds
 * @param maxModelLen      longest context it accepts
 * @param notes            what could not be read, for the startup log
 */
public record EngineFacts(int kvBlockSize, long kvCapacityTokens, int maxModelLen, List<String> notes) {
    public EngineFacts {
        notes = List.copyOf(notes);
    }

    public static EngineFacts none(String why) {
        return new EngineFacts(0, 0, 0, List.of(why));
    }
}
