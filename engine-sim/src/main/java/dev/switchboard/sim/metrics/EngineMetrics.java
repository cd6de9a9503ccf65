package dev.switchboard.sim.metrics;

import dev.switchboard.sim.driver.DriverObserver;

/**
 * One engine's Prometheus metrics: fed by the engine's driver (on its thread), scraped by
 * {@code GET /metrics} (on any thread). One registry per engine, so several engines in one process never
 * share a series.
 */
public interface EngineMetrics extends DriverObserver {

    /** Prometheus text exposition format 0.0.4. */
    String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** The current exposition. */
    byte[] scrape();
}
