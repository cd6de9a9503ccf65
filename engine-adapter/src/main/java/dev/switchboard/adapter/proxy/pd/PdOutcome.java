package dev.switchboard.adapter.proxy.pd;

/**
 * How a disaggregated request was served; sent to the gateway in {@link #HEADER} and counted in
 * {@code switchboard_adapter_pd_requests_total{outcome}}.
 */
public enum PdOutcome {
    /** Prefill on the first prefill endpoint, decode here. */
    DISAGGREGATED("disaggregated"),
    /** The first prefill endpoint failed; prefill on the alternate, decode here. */
    ALTERNATE_PREFILL("alternate-prefill"),
    /** No prefill endpoint worked (or none applies): this engine prefilled and decoded the request itself. */
    LOCAL_PREFILL("local-prefill"),
    /** The prefill engine rejected the request (4xx); its answer was passed back. */
    PREFILL_REJECTED("prefill-rejected"),
    /** The decode leg failed; the prefill leg was cancelled. */
    DECODE_FAILED("decode-failed"),
    /** The request could not be disaggregated as sent (body not a JSON object, too large, bad header). */
    INVALID("invalid"),
    /** The client went away; both legs were cancelled. */
    CANCELLED("cancelled");

    /** Response header naming the outcome. */
    public static final String HEADER = "x-switchboard-pd";
    /** Response header naming the prefill endpoint that served the prefill leg. */
    public static final String PREFILL_HEADER = "x-switchboard-pd-prefill";

    private final String wireName;

    PdOutcome(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
