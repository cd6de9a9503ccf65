/**
 * Scheduling contracts: the immutable cluster view a decision is made from. No framework imports
 * (enforced by an ArchUnit test), so the same code runs in the service and in bench's virtual time.
 */
package dev.switchboard.scheduler.framework;
