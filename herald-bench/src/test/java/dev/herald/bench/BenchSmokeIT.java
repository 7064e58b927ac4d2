package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** The bench against a real Herald in this JVM, over real loopback sockets from many source addresses. */
@ExtendWith(LeakDetection.class)
class BenchSmokeIT {
    private static HeraldServer server;

    @BeforeAll
    static void start() {
        server = HeraldServer.start(HeraldConfig.builder().port(0).host("127.0.0.1").memoryStore().everythingPublic()
                .requestsPerSecondPerIp(1_000_000).connectionsPerIp(100_000).newConnectionsPerSecondPerIp(100_000)
                .build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Runs {@code ./herald bench} with {@code args} against the server; returns the JSON summary. */
    static JsonNode bench(String... args) throws Exception {
        return benchAgainst(server, args);
    }

    /** Runs {@code ./herald bench} with {@code args} against {@code target}; returns the JSON summary. */
    static JsonNode benchAgainst(HeraldServer target, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--base", "http://127.0.0.1:" + target.port(),
                "--progress", "off", "--settle", "0.2", "--drain", "8",
                "--server-pid", Long.toString(ProcessHandle.current().pid())));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        int code = new CommandLine(new BenchCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(out)).execute(all.toArray(String[]::new));
        assertThat(code).as(out.toString()).isZero();
        return new ObjectMapper().readTree(out.toString());
    }

    static void assertEverythingDeliveredOnceInOrder(JsonNode s, int subscribers) {
        assertThat(s.at("/subscribers/connected").asLong()).as(s.toPrettyString()).isEqualTo(subscribers);
        assertThat(s.at("/publish/sent").asLong()).isPositive();
        assertThat(s.at("/publish/acked").asLong()).isEqualTo(s.at("/publish/sent").asLong());
        assertThat(s.at("/delivery/expected").asLong()).isPositive();
        assertThat(s.at("/delivery/delivered").asLong()).as(s.toPrettyString())
                .isEqualTo(s.at("/delivery/expected").asLong());
        assertThat(s.at("/delivery/lost").asLong()).isZero();
        assertThat(s.at("/delivery/duplicated").asLong()).isZero();
        assertThat(s.at("/delivery/reordered").asLong()).isZero();
        assertThat(s.at("/delivery/unparsed").asLong()).isZero();
        assertThat(s.at("/latency/count").asLong()).isEqualTo(s.at("/delivery/delivered").asLong());
        // A sanity bound, not a measurement: tests run with Netty's paranoid leak detection, server and bench in
        // one JVM, which slows both by an order of magnitude.
        assertThat(s.at("/latency/p99Ms").asDouble()).isPositive().isLessThan(10_000);
        assertThat(s.at("/latency/p50Ms").asDouble()).isLessThanOrEqualTo(s.at("/latency/p99Ms").asDouble());
        assertThat(s.at("/publish/ack/p99Ms").asDouble()).isPositive();
    }

    @Test
    void twoHundredSseSubscribersGetEveryMessageOnceInOrder() throws Exception {
        JsonNode s = bench("--label", "smoke", "-n", "200", "--topics", "2", "--rate", "50", "-d", "2",
                "--source-addresses", "8");
        assertEverythingDeliveredOnceInOrder(s, 200);
        // 100 messages over 2 topics, each subscriber on one of them: 200 * 50.
        assertThat(s.at("/delivery/expected").asLong()).isEqualTo(200L * s.at("/publish/acked").asLong() / 2);
        assertThat(s.at("/label").asText()).isEqualTo("smoke");
        assertThat(s.at("/transport").asText()).isEqualTo("sse");
        assertThat(s.at("/subscribers/sourceAddresses").asInt()).isEqualTo(8);
        assertThat(s.at("/delivery/perSecond").asDouble()).isPositive();
        assertThat(s.at("/serverStats/rssAfterKiB").asLong()).isPositive();
        assertThat(s.at("/serverStats/cpuSecondsTotal").asDouble()).isPositive();
        assertThat(s.at("/errors")).isEmpty();
    }

    @Test
    void longPollingSubscribersGetEveryMessageOnceInOrder() throws Exception {
        assertEverythingDeliveredOnceInOrder(bench("-t", "poll", "-n", "50", "--rate", "40", "-d", "1"), 50);
    }

    @Test
    void webSocketSubscribersGetEveryMessageOnceInOrder() throws Exception {
        assertEverythingDeliveredOnceInOrder(bench("-t", "ws", "-n", "50", "--rate", "40", "-d", "1"), 50);
    }

    @Test
    void unpacedPublishingFillsEveryBatch() throws Exception {
        JsonNode s = bench("-n", "10", "--rate", "0", "--batch", "50", "--messages", "1000", "--publishers", "2",
                "--topics", "2", "-d", "5");
        assertEverythingDeliveredOnceInOrder(s, 10);
        assertThat(s.at("/publish/acked").asLong()).isEqualTo(1000);
        assertThat(s.at("/publish/requests").asLong()).isEqualTo(20);
    }
}
