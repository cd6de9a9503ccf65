/** PNG charts of bench reports (XChart, headless): latency vs load, CDFs, prefix hits, capacity, overhead. */
package dev.switchboard.bench.chart;
