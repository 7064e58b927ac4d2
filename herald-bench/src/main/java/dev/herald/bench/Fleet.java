package dev.herald.bench;

/**
 * A share of the subscribers: in this process ({@link LocalFleet}) or in a worker process ({@link WorkerFleet}).
 * The bench drives every fleet through the same steps: start, watch the progress, (for a catch-up, go away and
 * come back), finish with what was published.
 */
interface Fleet extends AutoCloseable {
    /** Starts connecting, at the fleet's share of the ramp. */
    void start();

    /** The counts now. */
    Progress progress();

    /** Closes every subscriber and keeps each one's cursor; returns when all are closed. */
    void goAway();

    /** Connects every subscriber that had connected again, from its cursor. */
    void comeBack();

    /** Closes everything and accounts for what arrived against what was published. */
    Result finish(Published published);

    @Override
    void close();

    /**
     * @param connected subscribers connected now
     * @param settled subscribers connected or given up on
     * @param delivered distinct messages that arrived
     */
    record Progress(long connected, long settled, long delivered) {
        static final Progress NONE = new Progress(0, 0, 0);

        Progress plus(Progress o) {
            return new Progress(connected + o.connected, settled + o.settled, delivered + o.delivered);
        }
    }

    /**
     * The fleet's accounting; {@code latency} is a compressed histogram of microseconds in base64.
     *
     * @param firstAttemptMicros epoch micros of the first connection attempt
     * @param lastConnectMicros epoch micros of the last first connection
     * @param comeBackMicros epoch micros when the subscribers came back ({@link #comeBack}); 0 if they did not
     * @param lastDeliveryMicros epoch micros of the last arrival; 0 if none
     */
    record Result(long requested, long connected, long failed, long disconnects, long reconnects, long expected,
            long delivered, long lost, long duplicated, long reordered, long unparsed, long otherEvents,
            long firstAttemptMicros, long lastConnectMicros, long comeBackMicros, long lastDeliveryMicros,
            String latency, java.util.List<String> errors) {
    }
}
