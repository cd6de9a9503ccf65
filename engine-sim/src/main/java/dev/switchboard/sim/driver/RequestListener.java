package dev.switchboard.sim.driver;

import dev.switchboard.sim.core.CoreEvent;

/**
 * What happens to one submitted request, called on the engine's driver thread at the end of the step
 * that produced it (so calls are sequential and in order). Implementations must be quick: they run
 * between two engine steps.
 */
public interface RequestListener {

    /** The first output token left the GPU; {@code cachedTokens} prompt tokens were not computed here. */
    void onFirstToken(int cachedTokens);

    /** Output token {@code outputIndex} (1-based count minus one; the first token is index 0) left the GPU. */
    void onToken(int outputIndex);

    /** The request is done (reason {@code abort} if it was cancelled). Nothing follows. */
    void onFinished(CoreEvent.Finished finished);

    /** The core refused the request (e.g. it could never fit in the KV cache). Nothing follows. */
    void onRejected(String message);
}
