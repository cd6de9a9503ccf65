/** The {@code capacity} mode's search: the highest rate scale at which an SLO holds, by doubling and bisection. */
package dev.switchboard.bench.capacity;
