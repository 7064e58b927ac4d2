package dev.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code herald bench}: one bounded load run against a push server on this machine, a progress bar on stderr and
 * a JSON {@link Summary} on stdout. The defaults drive Herald on 127.0.0.1:8080; the templates drive others.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "Herald bench 0.1.0", sortOptions = false,
        abbreviateSynopsis = true,
        description = {"Opens N subscribers (SSE, long polling or WebSocket) from many loopback source addresses,",
            "publishes at a paced rate, and reports delivery, latency, loss and the server's memory and CPU.",
            "Placeholders in URLs, headers and bodies: {topic} {seq} {ts} {data} {cursor} {timeout} {sub}.",
            "Loopback targets only; every run is bounded in connections and time."},
        subcommands = {GripOrigin.class, TableCommand.class, CommandLine.HelpCommand.class})
public final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--label", defaultValue = "run", description = "The scenario's name in the summary (default: ${DEFAULT-VALUE}).")
    String label;

    @Option(names = "--server-name", defaultValue = "herald", description = "The server's name in the summary (default: ${DEFAULT-VALUE}).")
    String server;

    @Option(names = {"-t", "--transport"}, defaultValue = "sse", converter = TransportConverter.class,
            description = "sse, poll or ws (default: ${DEFAULT-VALUE}).")
    Transport transport;

    @Option(names = "--base", defaultValue = "http://127.0.0.1:8080",
            description = "Where URLs starting with / go (default: ${DEFAULT-VALUE}).")
    String base;

    @Option(names = "--subscribe-url", description = "Subscribe URL template (default: Herald's for the transport).")
    String subscribeUrl;

    @Option(names = "--subscribe-header", description = "A 'Name: value' template for subscribe requests; repeatable.")
    List<String> subscribeHeaders = new ArrayList<>();

    @Option(names = "--resume-header", defaultValue = "Last-Event-ID",
            description = "The header with the last event id when an SSE subscriber comes back; '' for none (default: ${DEFAULT-VALUE}).")
    String resumeHeader;

    @Option(names = "--poll-protocol", defaultValue = "herald",
            description = "herald (a cursor, JSON answers) or conditional (If-Modified-Since and If-None-Match, one "
                    + "message per answer: nchan's long polling) (default: ${DEFAULT-VALUE}).")
    PollProtocol pollProtocol;

    @Option(names = "--poll-timeout", defaultValue = "25", description = "{timeout} of long polls, seconds (default: ${DEFAULT-VALUE}).")
    int pollTimeout;

    @Option(names = "--ws-subscribe", defaultValue = "{\"type\":\"subscribe\",\"id\":\"s1\",\"topics\":[\"{topic}\"]}",
            description = "The frame a WebSocket subscriber sends (default: ${DEFAULT-VALUE}).")
    String wsSubscribe;

    @Option(names = "--ws-resume", defaultValue = "{\"type\":\"subscribe\",\"id\":\"s1\",\"topics\":[\"{topic}\"],\"cursor\":\"{cursor}\"}",
            description = "The frame it sends when it comes back with a cursor (default: ${DEFAULT-VALUE}).")
    String wsResume;

    @Option(names = "--ws-ready-type", defaultValue = "subscribed",
            description = "The 'type' of the frame that confirms the subscription; '' for the upgrade (default: ${DEFAULT-VALUE}).")
    String wsReadyType;

    @Option(names = "--ws-data-pointer", defaultValue = "/message/data", description = "JSON pointer of a frame's data (default: ${DEFAULT-VALUE}).")
    String wsDataPointer;

    @Option(names = "--ws-id-pointer", defaultValue = "/message/id", description = "JSON pointer of a frame's cursor (default: ${DEFAULT-VALUE}).")
    String wsIdPointer;

    @Option(names = "--publish-url", defaultValue = "/api/v1/publish", description = "Publish URL template (default: ${DEFAULT-VALUE}).")
    String publishUrl;

    @Option(names = "--publish-method", defaultValue = "POST", description = "Publish method (default: ${DEFAULT-VALUE}).")
    String publishMethod;

    @Option(names = "--publish-header", description = "A 'Name: value' template for publishes; repeatable (default: Content-Type: application/json).")
    List<String> publishHeaders;

    @Option(names = "--publish-body", defaultValue = "{\"topic\":\"{topic}\",\"data\":\"{data}\"}",
            description = "One message's body template (default: ${DEFAULT-VALUE}).")
    String publishBody;

    @Option(names = "--batch", defaultValue = "1", description = "Messages per publish request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--batch-open", defaultValue = "[", description = "Start of a batch body (default: ${DEFAULT-VALUE}).")
    String batchOpen;

    @Option(names = "--batch-separator", defaultValue = ",", description = "Between a batch's messages (default: ${DEFAULT-VALUE}).")
    String batchSeparator;

    @Option(names = "--batch-close", defaultValue = "]", description = "End of a batch body (default: ${DEFAULT-VALUE}).")
    String batchClose;

    @Option(names = {"-n", "--subscribers"}, defaultValue = "1000", description = "Subscriber connections (default: ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = "--topics", defaultValue = "1", description = "Topics; subscriber i takes topic i mod topics (default: ${DEFAULT-VALUE}).")
    int topics;

    @Option(names = "--topic-prefix", defaultValue = "bench", description = "Topics are PREFIX-0, PREFIX-1, … (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--ramp", defaultValue = "2000", description = "New connections per second (default: ${DEFAULT-VALUE}).")
    double ramp;

    @Option(names = "--source-addresses", defaultValue = "64", description = "Loopback source addresses (default: ${DEFAULT-VALUE}).")
    int sourceAddresses;

    @Option(names = "--first-source-address", defaultValue = "127.0.0.2", description = "The first of them (default: ${DEFAULT-VALUE}).")
    String firstSourceAddress;

    @Option(names = {"-r", "--rate"}, defaultValue = "10", description = "Messages per second, all topics; 0 unpaced (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = {"-d", "--duration"}, defaultValue = "10", description = "Seconds of publishing (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--messages", defaultValue = "0", description = "At most this many messages; 0 for no bound (default: ${DEFAULT-VALUE}).")
    long messages;

    @Option(names = "--publishers", defaultValue = "4", description = "Publishing connections (default: ${DEFAULT-VALUE}).")
    int publishers;

    @Option(names = "--pipeline", defaultValue = "1", description = "Requests in flight per publishing connection (default: ${DEFAULT-VALUE}).")
    int pipeline;

    @Option(names = "--payload-bytes", defaultValue = "64", description = "Each message's data is padded to this (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(names = "--format", defaultValue = "text", converter = FormatConverter.class,
            description = "text ('seq ts pad') or json ({\"seq\":…,\"ts\":…}) (default: ${DEFAULT-VALUE}).")
    Payload.Format format;

    @Option(names = "--settle", defaultValue = "1", description = "Seconds between the last connection and the first publish (default: ${DEFAULT-VALUE}).")
    double settle;

    @Option(names = "--drain", defaultValue = "10", description = "At most this many seconds for the last deliveries (default: ${DEFAULT-VALUE}).")
    double drain;

    @Option(names = "--max-per-process", defaultValue = "18000", description = "Subscribers per process at most (default: ${DEFAULT-VALUE}).")
    int maxPerProcess;

    @Option(names = "--workers", defaultValue = "-1", description = "Worker processes; -1 as needed (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--threads", defaultValue = "1", description = "Event-loop threads for subscribers per process (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--server-pid", split = ",", description = "The server's pid(s); memory and CPU include descendants.")
    List<Long> serverPids = new ArrayList<>();

    @Option(names = "--catch-up", description = "Subscribers go away before publishing and come back after: time to catch up.")
    boolean catchUp;

    @Option(names = "--no-reconnect", negatable = false, description = "Do not reconnect subscribers whose connection closes.")
    boolean noReconnect;

    @Option(names = "--progress", defaultValue = "auto", description = "auto, bar, lines or off (default: ${DEFAULT-VALUE}).")
    String progress;

    @Option(names = "--worker-java-options", defaultValue = "-Xms256m -Xmx1g -XX:+UseParallelGC",
            description = "JVM options of worker processes (default: ${DEFAULT-VALUE}).")
    String workerJavaOptions;

    @Option(names = "--max-backlog", defaultValue = "100000", description = "Messages waiting per publishing connection at most (default: ${DEFAULT-VALUE}).")
    int maxBacklog;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    /** The run this command line describes; throws IllegalArgumentException naming a bad flag. */
    BenchOptions options() {
        return new BenchOptions(label, server, transport, base,
                subscribeUrl != null ? subscribeUrl : transport.heraldUrl(), subscribeHeaders, resumeHeader,
                pollProtocol, pollTimeout, wsSubscribe, wsResume, wsReadyType, wsDataPointer, wsIdPointer, publishUrl,
                publishMethod, publishHeaders != null ? publishHeaders : List.of("Content-Type: application/json"),
                publishBody, batch, batchOpen, batchSeparator, batchClose, subscribers, topics, topicPrefix, ramp,
                sourceAddresses, firstSourceAddress, rate, duration, messages, publishers, pipeline, payloadBytes,
                format, settle, drain, maxPerProcess, workers, threads, serverPids, catchUp, !noReconnect, progress,
                workerJavaOptions, maxBacklog);
    }

    @Override
    public Integer call() throws Exception {
        BenchOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("bench: " + e.getMessage());
            return 2;
        }
        Thread watchdog = watchdog(options);
        Summary summary;
        try {
            summary = new Bench(options, System.err).run();
        } finally {
            watchdog.interrupt();
        }
        spec.commandLine().getOut().println(
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary));
        spec.commandLine().getOut().flush();
        return summary.subscribers().connected() == 0 && options.subscribers() > 0 ? 1 : 0;
    }

    /**
     * However the run goes, it stops: past every phase's bound and a minute more, the threads' stacks go to stderr
     * (to find what hung) and the process exits with 3, closing every connection and ending the workers.
     */
    private static Thread watchdog(BenchOptions o) {
        double seconds = o.subscribers() / o.ramp() * 4 + 30 + o.settle() + o.duration() + 2 * Math.max(5, o.drain())
                + 60;
        Thread t = new Thread(() -> {
            try {
                Thread.sleep((long) (seconds * 1000));
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("bench: the run did not end within " + Math.round(seconds) + " s; stopping. Threads:");
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                System.err.println("\"" + thread.getName() + "\" " + thread.getState());
                for (StackTraceElement e : stack) {
                    System.err.println("    at " + e);
                }
            });
            Runtime.getRuntime().halt(3);
        }, "bench-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static final class TransportConverter implements CommandLine.ITypeConverter<Transport> {
        @Override
        public Transport convert(String value) {
            return Transport.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<Payload.Format> {
        @Override
        public Payload.Format convert(String value) {
            return Payload.Format.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
