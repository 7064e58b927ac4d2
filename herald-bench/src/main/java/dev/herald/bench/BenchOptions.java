package dev.herald.bench;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

/**
 * One bench run, as {@code ./herald bench} was told it; validated when built, each error naming the flag:
 * {@code --subscribers: -1 (expected: 0 to 1000000)}. Also what a worker process is sent, as JSON.
 *
 * @param label the scenario's name in the summary and the comparison table
 * @param server the server's name in the summary and the table
 * @param transport how subscribers receive
 * @param base the scheme, host and port that relative URLs (starting with {@code /}) are resolved against
 * @param subscribeUrl the subscribe URL template ({@code {topic}}, {@code {cursor}}, {@code {timeout}}, {@code {sub}})
 * @param subscribeHeaders {@code Name: value} templates sent with each subscribe request or upgrade
 * @param resumeHeader the header that carries the last event id when an SSE subscriber reconnects
 * @param pollProtocol how a long poll asks for what follows (Herald's cursor, or HTTP conditional requests)
 * @param pollTimeout the {@code {timeout}} of a long poll, in seconds (the first poll of each subscriber uses 0)
 * @param wsSubscribe the frame a WebSocket subscriber sends after the upgrade
 * @param wsResume the frame it sends instead when it resumes from a cursor ({@code {cursor}})
 * @param wsReadyType the {@code type} of the frame that says the subscription is in place; empty: the upgrade
 * @param wsDataPointer the JSON pointer of a message's data in a frame
 * @param wsIdPointer the JSON pointer of a message's cursor in a frame
 * @param publishUrl the publish URL template
 * @param publishMethod the publish request's method
 * @param publishHeaders {@code Name: value} templates sent with each publish
 * @param publishBody the body of one message ({@code {topic}}, {@code {seq}}, {@code {ts}}, {@code {data}})
 * @param batch messages per publish request; above 1, each request's body is batchOpen, the messages' bodies
 *     separated by batchSeparator, batchClose (also for a last batch that is short)
 * @param batchOpen what a batch body starts with
 * @param batchSeparator what separates the messages of a batch
 * @param batchClose what a batch body ends with
 * @param subscribers how many subscriber connections
 * @param topics how many topics; subscriber i takes topic i mod topics, and messages go round-robin
 * @param topicPrefix topics are named prefix-0, prefix-1, …
 * @param ramp new subscriber connections per second, across all processes
 * @param sourceAddresses how many loopback source addresses the subscribers are spread over
 * @param firstSourceAddress the first of them; the others follow it
 * @param rate messages per second across all topics, paced open-loop; 0: as fast as answers come
 * @param duration seconds of publishing
 * @param messages the most messages to publish; 0 for no bound but the duration
 * @param publishers publishing connections; topic t always goes over connection t mod publishers, in order
 * @param pipeline publish requests in flight on each connection (HTTP/1.1 pipelining above 1)
 * @param payloadBytes the size each message's data is padded to
 * @param format the data's layout
 * @param settle seconds to wait after the last subscriber connected, before publishing
 * @param drain the most seconds to wait after publishing for the last deliveries
 * @param maxPerProcess subscriber connections one process opens at most (the open-file limit is 20,000)
 * @param workers worker processes; -1 chooses (none up to maxPerProcess subscribers)
 * @param threads event-loop threads for subscribers in each process
 * @param serverPids the server's processes, whose memory and CPU time are reported with their descendants'
 * @param catchUp subscribers connect, go away, the messages are published, and they come back from their cursors:
 *     the summary reports the time to catch up
 * @param reconnect whether a subscriber whose connection closes during the run comes back (from its cursor)
 * @param progress the progress report on stderr: auto, bar, lines or off
 * @param workerJavaOptions the JVM options of worker processes, space-separated
 * @param maxBacklog messages that may wait on one publishing connection; more are skipped and counted
 */
public record BenchOptions(
        String label,
        String server,
        Transport transport,
        String base,
        String subscribeUrl,
        List<String> subscribeHeaders,
        String resumeHeader,
        PollProtocol pollProtocol,
        int pollTimeout,
        String wsSubscribe,
        String wsResume,
        String wsReadyType,
        String wsDataPointer,
        String wsIdPointer,
        String publishUrl,
        String publishMethod,
        List<String> publishHeaders,
        String publishBody,
        int batch,
        String batchOpen,
        String batchSeparator,
        String batchClose,
        int subscribers,
        int topics,
        String topicPrefix,
        double ramp,
        int sourceAddresses,
        String firstSourceAddress,
        double rate,
        double duration,
        long messages,
        int publishers,
        int pipeline,
        int payloadBytes,
        Payload.Format format,
        double settle,
        double drain,
        int maxPerProcess,
        int workers,
        int threads,
        List<Long> serverPids,
        boolean catchUp,
        boolean reconnect,
        String progress,
        String workerJavaOptions,
        int maxBacklog) {

    /** Below the 20,000 open files a process may have here, with room for the publisher and the JVM. */
    public static final int MAX_PER_PROCESS = 19_000;

    public BenchOptions {
        requireNonNull(label, "label");
        requireNonNull(server, "server");
        requireNonNull(transport, "transport");
        requireNonNull(format, "format");
        subscribeHeaders = List.copyOf(subscribeHeaders);
        publishHeaders = List.copyOf(publishHeaders);
        serverPids = List.copyOf(serverPids);
        check("--subscribers", subscribers, 0, 1_000_000);
        check("--topics", topics, 1, 100_000);
        check("--poll-timeout", pollTimeout, 1, 300);
        check("--batch", batch, 1, 10_000);
        check("--source-addresses", sourceAddresses, 1, 65_000);
        check("--publishers", publishers, 1, 256);
        check("--pipeline", pipeline, 1, 128);
        check("--payload-bytes", payloadBytes, 0, 1 << 20);
        check("--max-per-process", maxPerProcess, 1, MAX_PER_PROCESS);
        check("--workers", workers, -1, 64);
        check("--threads", threads, 1, 16);
        check("--max-backlog", maxBacklog, 1, 10_000_000);
        check("--ramp", ramp, 1, 100_000);
        check("--rate", rate, 0, 10_000_000);
        check("--duration", duration, 0.1, 3_600);
        check("--settle", settle, 0, 600);
        check("--drain", drain, 0, 600);
        if (messages < 0 || messages > 1_000_000_000L) {
            throw new IllegalArgumentException("--messages: " + messages + " (expected: 0 to 1000000000)");
        }
        if (!topicPrefix.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("--topic-prefix: " + topicPrefix
                    + " (expected: 1 to 64 of A-Z a-z 0-9 . _ -, safe in URLs and JSON)");
        }
        if (!progress.matches("auto|bar|lines|off")) {
            throw new IllegalArgumentException("--progress: " + progress + " (expected: auto, bar, lines or off)");
        }
        if (workers > 0 && (long) workers * maxPerProcess < subscribers) {
            throw new IllegalArgumentException("--workers: " + workers + " (expected: at least "
                    + (subscribers + maxPerProcess - 1) / maxPerProcess + " for " + subscribers
                    + " subscribers at --max-per-process " + maxPerProcess + ")");
        }
        if (workers == 0 && subscribers > maxPerProcess) {
            throw new IllegalArgumentException("--workers: 0 (expected: -1 or more, for " + subscribers
                    + " subscribers above --max-per-process " + maxPerProcess + ")");
        }
        loopback("--base", URI.create(base).getHost());
        loopback("--first-source-address", firstSourceAddress);
        for (String url : List.of(subscribeUrl, publishUrl)) {
            if (!url.startsWith("/")) {
                loopback("URL " + url, URI.create(url.replaceAll("[{}]", "_")).getHost());
            }
        }
    }

    /** The worker processes this run spreads its subscribers over; 0 runs them in this process. */
    public int processes() {
        if (workers >= 0) {
            return workers;
        }
        return subscribers <= maxPerProcess ? 0 : (subscribers + maxPerProcess - 1) / maxPerProcess;
    }

    /** The name of topic {@code index}. */
    public String topic(int index) {
        return topicPrefix + "-" + index;
    }

    /** {@code url} resolved against the base. */
    public String resolve(String url) {
        return url.startsWith("/") ? base.replaceAll("/+$", "") + url : url;
    }

    private static void check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + " to " + max + ")");
        }
    }

    private static void check(String name, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + " to " + max + ")");
        }
    }

    /** The bench sends traffic to this machine only. */
    private static void loopback(String name, String host) {
        if (host == null) {
            throw new IllegalArgumentException(name + ": no host (expected: a loopback address)");
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    throw new IllegalArgumentException(name + ": " + host + " (expected: a loopback address such "
                            + "as 127.0.0.1; the bench targets this machine only)");
                }
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(name + ": " + host + " (expected: a resolvable loopback host)", e);
        }
    }
}
