package dev.switchboard.contract;

/** What part of a request an engine serves. */
public enum EngineRole {
    /** Runs both prefill and decode for a request (no disaggregation). */
    UNIFIED,
    /** Computes the prompt's KV cache and hands it to a decode engine. */
    PREFILL,
    /** Receives a prefilled KV cache and generates the answer. */
    DECODE;

    /** The lower-case name used in registry metadata and config. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses a wire name (case-insensitive); throws with the accepted values on anything else. */
    public static EngineRole fromWire(String value) {
        return WireEnums.parse(EngineRole.class, value);
    }

    /** Whether an engine of this role can take the decode (client-facing) side of a request. */
    public boolean servesDecode() {
        return this != PREFILL;
    }
}
