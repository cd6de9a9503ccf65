/**
 * Tenants: who may call the API (SHA-256 hashes of their API keys, never the keys), and what share
 * of the fleet they get (weight, priority, token quota, queue bound). One definition, read by the
 * gateway (authentication) and the scheduler (admission), from {@code switchboard-tenants.yaml}.
 */
package dev.switchboard.contract.tenants;
