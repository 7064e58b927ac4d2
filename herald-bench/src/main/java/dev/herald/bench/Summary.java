package dev.herald.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The JSON a run prints on stdout. Times are milliseconds unless a name says otherwise; memory is KiB.
 *
 * @param label the scenario
 * @param server the server's name
 * @param transport how subscribers received
 * @param started when the run started (ISO-8601)
 * @param seconds how long the run took, ramp and drain included
 * @param subscribers what connected
 * @param publish what was published and how fast it was acknowledged
 * @param delivery what arrived
 * @param latency end-to-end latency, from each message's intended send time to its arrival
 * @param catchUp with {@code --catch-up}: how fast the returning subscribers caught up; else absent
 * @param serverStats the server process's memory and CPU time; absent without {@code --server-pid}
 * @param errors the first few errors, for diagnosis
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Summary(
        String label,
        String server,
        String transport,
        String started,
        double seconds,
        Subscribers subscribers,
        Publish publish,
        Delivery delivery,
        Latency latency,
        CatchUp catchUp,
        ServerStats serverStats,
        List<String> errors) {

    /**
     * @param requested subscribers asked for
     * @param connected subscribers that connected at least once
     * @param failed subscribers that never connected
     * @param disconnects connections the server closed during the run
     * @param reconnects reconnections made after those
     * @param processes worker processes (0: all in the bench's own process)
     * @param sourceAddresses loopback source addresses used
     * @param rampSeconds from the first connection attempt to the last connection
     */
    public record Subscribers(int requested, long connected, long failed, long disconnects, long reconnects,
            int processes, int sourceAddresses, double rampSeconds) {
    }

    /**
     * @param rate the paced rate asked for, messages per second (0: unpaced)
     * @param sent messages sent
     * @param acked messages the server acknowledged (2xx)
     * @param failed messages refused or unanswered
     * @param skipped messages never sent because the connection's backlog was full (the server was too slow)
     * @param ackedPerSecond acknowledged messages per second of publishing
     * @param requests publish requests made
     * @param ack acknowledgement latency, from each message's intended send time (corrected for coordinated
     *     omission) to its answer
     */
    public record Publish(double rate, long sent, long acked, long failed, long skipped, double ackedPerSecond,
            long requests, Latency ack) {
    }

    /**
     * @param expected deliveries owed: for each connected subscriber, the messages acknowledged on its topic
     * @param delivered distinct messages that arrived
     * @param perSecond deliveries per second, from the first publish to the last arrival
     * @param lost owed messages that never arrived
     * @param duplicated messages that arrived again
     * @param reordered messages that arrived after a later one of the same topic
     * @param unparsed message events whose data is no bench payload
     * @param otherEvents events and frames of other types (control events, acknowledgements)
     */
    public record Delivery(long expected, long delivered, double perSecond, long lost, long duplicated,
            long reordered, long unparsed, long otherEvents) {
    }

    /** Percentiles in milliseconds, from an HdrHistogram of microseconds. */
    public record Latency(long count, double meanMs, double p50Ms, double p90Ms, double p99Ms, double p999Ms,
            double maxMs, double minMs) {
    }

    /**
     * @param seconds from the subscribers' return to the last arrival
     * @param messagesPerSecond deliveries per second over that time
     */
    public record CatchUp(double seconds, double messagesPerSecond) {
    }

    /**
     * @param pids the processes measured (the given pids and their descendants, at the end)
     * @param rssBeforeKiB resident memory before any subscriber connected
     * @param rssConnectedKiB resident memory once all had connected, before publishing
     * @param rssAfterKiB resident memory at the end
     * @param rssMaxKiB the most resident memory seen in once-a-second samples
     * @param rssPerConnectionKiB (connected − before) / connected subscribers
     * @param cpuSeconds user + system CPU time from the first publish to the end of the drain
     * @param cpuSecondsTotal user + system CPU time over the whole run
     */
    public record ServerStats(List<Long> pids, long rssBeforeKiB, long rssConnectedKiB, long rssAfterKiB,
            long rssMaxKiB, double rssPerConnectionKiB, double cpuSeconds, double cpuSecondsTotal) {
    }
}
