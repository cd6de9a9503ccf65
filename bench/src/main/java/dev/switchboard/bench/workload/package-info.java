/**
 * Workloads: ordered requests with arrival times, read from production traces (Mooncake, Azure) or
 * generated (shared prefix, multi-turn chat, heavy tenant), and the transformations every bench mode
 * applies (rate scaling, time windows, tenant assignment). Prompts are seeds and lengths until a
 * request is sent, so an hour-long trace of 12k-token prompts fits in a few megabytes.
 */
package dev.switchboard.bench.workload;
