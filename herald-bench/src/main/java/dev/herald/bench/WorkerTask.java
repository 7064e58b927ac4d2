package dev.herald.bench;

/**
 * What a worker process is told on its first line of stdin: the run, and its slice of the subscribers.
 *
 * @param options the run
 * @param first the index of its first subscriber
 * @param count how many subscribers it opens
 * @param ramp its share of the ramp, connections per second
 */
record WorkerTask(BenchOptions options, int first, int count, double ramp) {
}
