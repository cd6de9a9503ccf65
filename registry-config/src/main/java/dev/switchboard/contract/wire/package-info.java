/**
 * Records exchanged between services over HTTP (JSON). Field names are the JSON names; every record
 * validates its invariants in its compact constructor, so a decoded value is always well-formed.
 */
package dev.switchboard.contract.wire;
