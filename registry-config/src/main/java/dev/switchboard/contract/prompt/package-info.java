/**
 * Prompt text, token counting and prompt block hashing: the one definition of "the same prefix"
 * used by gateway, scheduler, simulator and bench.
 */
package dev.switchboard.contract.prompt;
