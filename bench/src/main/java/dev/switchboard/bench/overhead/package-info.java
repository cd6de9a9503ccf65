/**
 * The {@code overhead} mode: latency a request path (the gateway, an nginx reverse proxy started for the
 * run) adds over calling the engine directly, at fixed rates.
 */
package dev.switchboard.bench.overhead;
