package dev.switchboard.scheduler.plugins.disagg;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.PdDecider;
import dev.switchboard.scheduler.framework.ProfileHandler;
import dev.switchboard.scheduler.framework.ProfileRun;
import dev.switchboard.scheduler.framework.ProfileRunner;
import dev.switchboard.scheduler.framework.Selection;

/**
 * Prefill/decode disaggregation in stages:
 * <ol>
 *   <li>decode: run the decode profile; its pick receives the request;</li>
 *   <li>decide: ask the {@link PdDecider} whether a separate prefill is worth it;</li>
 *   <li>prefill: run the prefill profile paired with the decode pick (so locality can score);
 *       with no prefill candidate, the decode endpoint prefills itself.</li>
 * </ol>
 */
public record DisaggProfileHandler(String name, String decodeProfile, String prefillProfile, PdDecider decider)
        implements ProfileHandler {
    public static final String TYPE = "disagg-profile-handler";

    /**
     * @param decodeProfile  profile choosing the decode side (default {@code decode})
     * @param prefillProfile profile choosing the prefill side (default {@code prefill})
     * @param decider        name of the {@link PdDecider} plugin instance (required)
     */
    public record Params(String decodeProfile, String prefillProfile, String decider) {
        public Params {
            decodeProfile = decodeProfile == null || decodeProfile.isBlank() ? "decode" : decodeProfile;
            prefillProfile = prefillProfile == null || prefillProfile.isBlank() ? "prefill" : prefillProfile;
            if (decider == null || decider.isBlank()) {
                throw new IllegalArgumentException("decider must name a pd-decider plugin");
            }
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public java.util.Set<String> profilesUsed() {
        return java.util.Set.of(decodeProfile, prefillProfile);
    }

    @Override
    public Selection select(CycleContext context, ProfileRunner profiles) {
        // ── Stage 1: decode ──
        ProfileRun decode = profiles.run(decodeProfile, context);
        if (decode.picked() == null) {
            return new Selection(null, null, List.of(decode), "no decode endpoint");
        }
        // ── Stage 2: decide ──
        int uncached = context.uncachedTokens(decode.picked().endpoint());
        if (!decider.disaggregate(context, decode.picked().endpoint())) {
            return new Selection(decode.picked(), null, List.of(decode),
                    "unified: " + uncached + " uncached tokens, decider " + decider.name() + " declined");
        }
        // ── Stage 3: prefill ──
        ProfileRun prefill = profiles.run(prefillProfile, context.withPairedDecode(decode.picked().endpoint()));
        if (prefill.picked() == null) {
            return new Selection(decode.picked(), null, List.of(decode, prefill),
                    "unified: no prefill endpoint available for " + uncached + " uncached tokens");
        }
        return new Selection(decode.picked(), prefill.picked(), List.of(decode, prefill),
                "disaggregated: " + uncached + " uncached tokens on the decode pick");
    }
}
