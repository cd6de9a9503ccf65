/** Picocli commands and the option groups they share. */
package dev.switchboard.bench.cli;
