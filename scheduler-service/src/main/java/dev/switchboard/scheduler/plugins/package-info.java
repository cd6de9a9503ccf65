/**
 * Built-in scheduling plugins, one package each. Every plugin has a kebab-case {@code TYPE}, a
 * {@code Params} record with defaults and validation, and a table-driven test; all are registered
 * in {@link dev.switchboard.scheduler.plugins.BuiltinPlugins}.
 */
package dev.switchboard.scheduler.plugins;
