package dev.switchboard.contract;

/** The inference engine software behind an adapter. */
public enum EngineKind {
    VLLM,
    SGLANG;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static EngineKind fromWire(String value) {
        return WireEnums.parse(EngineKind.class, value);
    }
}
