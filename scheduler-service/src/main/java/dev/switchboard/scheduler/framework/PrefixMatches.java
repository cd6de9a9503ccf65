package dev.switchboard.scheduler.framework;

/** How much of the request's prompt each endpoint is predicted to have cached, computed once per cycle. */
@FunctionalInterface
public interface PrefixMatches {
    PrefixMatches NONE = endpointId -> 0;

    /** Leading prompt blocks predicted to be cached on the endpoint. */
    int matchedBlocks(String endpointId);
}
