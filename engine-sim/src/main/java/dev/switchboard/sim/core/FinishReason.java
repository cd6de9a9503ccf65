package dev.switchboard.sim.core;

import java.util.Locale;

/** Why a request stopped, with vLLM's {@code finish_reason} / {@code finished_reason} label values. */
public enum FinishReason {
    /** The answer ended naturally (EOS or a stop sequence). */
    STOP,
    /** {@code max_tokens} reached (also every prefill-role request: it stops after its first token). */
    LENGTH,
    /** Cancelled by the caller (client disconnect, fault injection). */
    ABORT;

    /** The lower-case wire name ({@code stop}, {@code length}, {@code abort}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
