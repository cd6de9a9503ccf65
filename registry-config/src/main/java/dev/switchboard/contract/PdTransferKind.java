package dev.switchboard.contract;

/**
 * How an engine moves KV cache between prefill and decode, which decides the handshake the
 * adapter speaks (see {@code research/engine-protocols.md} section 4).
 */
public enum PdTransferKind {
    /** No disaggregation support. */
    NONE,
    /** vLLM NixlConnector: prefill returns {@code kv_transfer_params}, decode pulls the KV. */
    NIXL,
    /** SGLang / Mooncake bootstrap: both legs get {@code bootstrap_host/port/room} at once. */
    MOONCAKE;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static PdTransferKind fromWire(String value) {
        return WireEnums.parse(PdTransferKind.class, value);
    }
}
