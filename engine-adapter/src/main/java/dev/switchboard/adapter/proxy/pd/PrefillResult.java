package dev.switchboard.adapter.proxy.pd;

import org.springframework.http.MediaType;

/** How one prefill leg ended. */
public sealed interface PrefillResult {
    /** The leg's target. */
    PrefillTarget target();

    /** 2xx, with the whole response body. */
    record Ok(PrefillTarget target, int status, byte[] body) implements PrefillResult {
    }

    /** 4xx: the prefill engine rejected the request; passed back to the client as is. */
    record Rejected(PrefillTarget target, int status, MediaType contentType, byte[] body) implements PrefillResult {
    }

    /** Anything else (5xx, unreachable, timeout, unreadable answer): worth another prefill endpoint. */
    record Failed(PrefillTarget target, String reason, String detail) implements PrefillResult {
    }
}
