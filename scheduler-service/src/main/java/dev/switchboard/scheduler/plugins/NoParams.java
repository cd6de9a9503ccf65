package dev.switchboard.scheduler.plugins;

/** Parameters of plugins that take none (any given parameter is rejected as unknown). */
public record NoParams() {
}
