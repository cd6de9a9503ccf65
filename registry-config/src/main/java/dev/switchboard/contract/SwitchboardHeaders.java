package dev.switchboard.contract;

/**
 * Internal HTTP headers between gateway and adapters. Only the gateway sets them; it strips every
 * header with {@link #PREFIX} that a client sends, and adapters never forward them to an engine.
 */
public final class SwitchboardHeaders {
    /** Prefix shared by every internal header (lower case; HTTP header names are case-insensitive). */
    public static final String PREFIX = "x-switchboard-";
    /** The scheduler's lease id for this request. */
    public static final String LEASE = PREFIX + "lease";
    /** The gateway's request id (also sent to engines as {@code X-Request-Id}). */
    public static final String REQUEST_ID = PREFIX + "request-id";
    /**
     * The prefill side of a disaggregated decision: {@code host:port} of its adapter, followed by
     * {@code ;bootstrap-port=N} when the prefill engine has a bootstrap port (SGLang/Mooncake); a
     * comma-separated list names alternates, tried in order. See {@link #prefillValue}.
     */
    public static final String PREFILL = PREFIX + "prefill";
    /** Parameter of a {@link #PREFILL} entry carrying the prefill engine's bootstrap port. */
    public static final String BOOTSTRAP_PORT_PARAM = "bootstrap-port";
    /** Endpoint id chosen for the decode side (for logs and response headers). */
    public static final String ENDPOINT = PREFIX + "endpoint";

    private SwitchboardHeaders() {
    }

    /** The {@link #PREFILL} entry for a prefill endpoint. */
    public static String prefillValue(dev.switchboard.contract.wire.EndpointRef prefill) {
        return prefill.bootstrapPort() > 0 ? prefill.hostPort() + ";" + BOOTSTRAP_PORT_PARAM + "=" + prefill.bootstrapPort()
                : prefill.hostPort();
    }

    /** Whether {@code headerName} is an internal Switchboard header (case-insensitive). */
    public static boolean isInternal(String headerName) {
        return headerName.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }
}
