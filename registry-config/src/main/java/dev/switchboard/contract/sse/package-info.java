/**
 * Reading {@code text/event-stream} bytes: the one SSE framer used by the gateway (observing relayed
 * answers), the scheduler (adapter event streams) and the bench (load generator).
 */
package dev.switchboard.contract.sse;
