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
    /** {@code host:port} of the prefill-side adapter of a disaggregated decision. */
    public static final String PREFILL = PREFIX + "prefill";
    /** Endpoint id chosen for the decode side (for logs and response headers). */
    public static final String ENDPOINT = PREFIX + "endpoint";

    private SwitchboardHeaders() {
    }

    /** Whether {@code headerName} is an internal Switchboard header (case-insensitive). */
    public static boolean isInternal(String headerName) {
        return headerName.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }
}
