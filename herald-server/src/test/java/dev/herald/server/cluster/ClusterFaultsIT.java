package dev.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.cluster.Traffic.Seen;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults under load, each on a cluster of its own (Redis with AOF, two node processes, nginx): a publisher and
 * subscribers (event stream and long poll) all go through nginx while a node is killed ({@code kill -9}) or
 * Redis is, and come back. At the end each subscriber has every acknowledged message, once, in order, with
 * the id the publisher was given.
 */
class ClusterFaultsIT {
    private static final String TOPIC = "faults/orders";
    private static final Pattern SSE_CONNECTIONS =
            Pattern.compile("herald_connections\\{[^}]*transport=\"sse\"[^}]*}\\s+([0-9.]+)");

    @RegisterExtension
    final TestCluster cluster = TestCluster.of("""
            retention:
              count: 100000
            access:
              public: {publish: ["faults/#"], subscribe: ["faults/#"]}
            """);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private int sseStreamsOn(int node) throws Exception {
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(cluster.node(node) + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = SSE_CONNECTIONS.matcher(metrics.body());
        return m.find() ? (int) Double.parseDouble(m.group(1)) : 0;
    }

    private static void assertEveryAcknowledgedMessageOnceInOrder(List<Seen> acknowledged, List<Seen> received,
            String who) {
        assertThat(received).as(who + ": every acknowledged message, once, in order").isEqualTo(acknowledged);
    }

    @Test
    void aKilledNodesClientsResumeThroughNginxOnTheOtherWithNothingLostOrDoubled() throws Exception {
        int victim;
        try (Traffic traffic = new Traffic()) {
            Traffic.SseSubscriber[] streams = {traffic.new SseSubscriber(cluster.base(), TOPIC),
                traffic.new SseSubscriber(cluster.base(), TOPIC)};
            Traffic.PollSubscriber poller = traffic.new PollSubscriber(cluster.base(), TOPIC);
            assertThat(Traffic.await(10, () -> !streams[0].cursor.isEmpty() && !streams[1].cursor.isEmpty()
                    && !poller.cursor.isEmpty())).as("subscribers started").isTrue();
            // Round-robin put the two streams on both nodes, or both on one: kill a node that holds one.
            victim = sseStreamsOn(0) > 0 ? 0 : 1;
            assertThat(sseStreamsOn(victim)).as("event streams on the node to kill").isPositive();

            Traffic.Publisher publisher = traffic.new Publisher(cluster.base(), TOPIC);
            assertThat(Traffic.await(10, () -> publisher.acknowledged.size() >= 100)).isTrue();
            cluster.kill(victim);
            int atKill = publisher.acknowledged.size();
            assertThat(Traffic.await(20, () -> publisher.acknowledged.size() >= atKill + 150))
                    .as("publishes go on through the other node").isTrue();
            publisher.stop();
            List<Seen> acknowledged = List.copyOf(publisher.acknowledged);

            assertThat(Traffic.await(20, () -> streams[0].received.size() >= acknowledged.size()
                    && streams[1].received.size() >= acknowledged.size()
                    && poller.received.size() >= acknowledged.size())).as("subscribers caught up").isTrue();
            Thread.sleep(300); // anything doubled would have arrived by now
            assertEveryAcknowledgedMessageOnceInOrder(acknowledged, streams[0].received, "event stream 1");
            assertEveryAcknowledgedMessageOnceInOrder(acknowledged, streams[1].received, "event stream 2");
            assertEveryAcknowledgedMessageOnceInOrder(acknowledged, poller.received, "long poller");
            assertThat(streams[0].connections.get() + streams[1].connections.get())
                    .as("a stream on the killed node reconnected").isGreaterThan(2);
        }

        // The node comes back where it was, with the whole history: it holds nothing of its own.
        cluster.restart(victim);
        assertThat(cluster.status(cluster.node(victim) + "/readyz")).isEqualTo(200);
        HttpResponse<String> history = http.send(HttpRequest.newBuilder(URI.create(cluster.node(victim)
                + "/api/v1/poll?topic=" + TOPIC + "&history=5&timeout=0")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(Traffic.JSON.readTree(history.body()).path("messages")).hasSize(5);
    }

    @Test
    void whileRedisIsDownPublishesAreRefusedAndNodesNotReadyThenAllRecoverWithNothingDeliveredTwice()
            throws Exception {
        try (Traffic traffic = new Traffic()) {
            Traffic.SseSubscriber stream = traffic.new SseSubscriber(cluster.base(), TOPIC);
            Traffic.PollSubscriber poller = traffic.new PollSubscriber(cluster.base(), TOPIC);
            assertThat(Traffic.await(10, () -> !stream.cursor.isEmpty() && !poller.cursor.isEmpty())).isTrue();
            Traffic.Publisher publisher = traffic.new Publisher(cluster.base(), TOPIC);
            assertThat(Traffic.await(10, () -> publisher.acknowledged.size() >= 100)).isTrue();

            cluster.redis().stop(); // SIGKILL
            assertThat(Traffic.await(10, () -> !publisher.unavailable.isEmpty())).as("a publish refused").isTrue();
            HttpResponse<String> refused = publisher.unavailable.get(0);
            assertThat(Traffic.problemType(refused.body())).isEqualTo("store-unavailable");
            assertThat(refused.headers().firstValue("retry-after")).isPresent();
            assertThat(Traffic.await(10, () -> notReady(0) && notReady(1))).as("/readyz 503 on both nodes").isTrue();
            int whileDown = publisher.acknowledged.size();
            Thread.sleep(1500);
            assertThat(publisher.acknowledged).as("nothing acknowledged while Redis is down").hasSize(whileDown);

            cluster.redis().start(); // the same port and directory: the AOF brings the data back
            assertThat(Traffic.await(15, () -> ready(0) && ready(1))).as("/readyz 200 again on both nodes").isTrue();
            assertThat(Traffic.await(15, () -> publisher.acknowledged.size() >= whileDown + 100))
                    .as("publishes accepted again").isTrue();
            publisher.stop();
            List<Seen> acknowledged = List.copyOf(publisher.acknowledged);

            assertThat(Traffic.await(20, () -> stream.received.size() >= acknowledged.size()
                    && poller.received.size() >= acknowledged.size())).as("subscribers caught up").isTrue();
            Thread.sleep(300);
            assertEveryAcknowledgedMessageOnceInOrder(acknowledged, stream.received, "event stream");
            assertEveryAcknowledgedMessageOnceInOrder(acknowledged, poller.received, "long poller");
        }
    }

    private boolean notReady(int node) {
        try {
            return cluster.status(cluster.node(node) + "/readyz") == 503;
        } catch (Exception e) {
            return false;
        }
    }

    private boolean ready(int node) {
        try {
            return cluster.status(cluster.node(node) + "/readyz") == 200;
        } catch (Exception e) {
            return false;
        }
    }
}
