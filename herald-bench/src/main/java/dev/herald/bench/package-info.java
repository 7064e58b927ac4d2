/**
 * The load generator behind {@code ./herald bench}: many subscribers over SSE, long polling or WebSocket, spread
 * over loopback source addresses and, past one process's open-file limit, over worker processes; an open-loop
 * publisher whose messages carry a per-topic sequence and the intended send time; and the accounting that turns
 * what arrived into latency percentiles and counts of lost, duplicated and reordered messages.
 *
 * <p>Every URL, header and body is a {@link dev.herald.bench.Template}, so the same run drives Herald, nchan or
 * Pushpin. Only loopback targets are accepted, and every run is bounded in connections and time.
 */
package dev.herald.bench;
