package dev.herald.server.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.auth.sign.Signer;
import dev.herald.server.cluster.Nginx;
import dev.herald.server.cluster.TestCluster;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transport contract on two Herald nodes (separate processes) sharing one Redis, through nginx balancing
 * round-robin without sticky sessions: subscribers connect through nginx and publishes go through it too, so
 * consecutive requests of one client land on both nodes. Then what makes the nodes one hub: cursors, idempotency
 * keys, signatures, tokens and rate limits mean the same on either node, and nginx passes event streams on at
 * once and keeps idle ones open.
 */
class ClusterContractIT extends TransportContract {
    /** An app with a low rate, to see its limit hold across nodes. */
    private static final String LIMITED_KEY = "HKLIMITEDAPPKEY00001";
    private static final String LIMITED_SECRET = "limited-secret-0123456789-abcdefghijklm";

    @RegisterExtension
    static final TestCluster cluster = TestCluster.of(CONFIG_YAML + """
                - name: limited
                  key: %s
                  secret: "%s"
                  publish: ["limited/#"]
                  subscribe: ["limited/#"]
                  publishPerSecond: 5
            """.formatted(LIMITED_KEY, LIMITED_SECRET));

    @Override
    String base() {
        return cluster.base();
    }

    @Override
    String publish(String topic, String data) throws Exception {
        return signedPublish(cluster.base(), topic, data);
    }

    private static HttpResponse<String> send(String method, String url, String body, String key, String secret,
            Instant date) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Signer.Signed signed = new Signer(key, secret).sign(method, url, Map.of("Content-Type", "application/json"),
                bytes, date);
        return send(signed, method, url, bytes);
    }

    private static HttpResponse<String> send(Signer.Signed signed, String method, String url, byte[] body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        signed.headers().forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String type(HttpResponse<String> r) throws Exception {
        String type = Transports.JSON.readTree(r.body()).path("type").asText();
        return type.substring(type.lastIndexOf(':') + 1);
    }

    @Test
    void eventStreamsFlowThroughNginxAtOnceAndHeartbeatsKeepAnIdleOneOpen() throws Exception {
        String topic = "pub/nginx/flow";
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(
                URI.create(cluster.base() + "/api/v1/stream?topic=" + topic)).header("Accept", "text/event-stream")
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/event-stream"));
        BlockingQueue<String> data = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data:")) {
                        data.add(line.substring(5).trim());
                    }
                }
                data.add("(end of stream)");
            } catch (Exception e) {
                data.add("(failed: " + e + ")");
            }
        }, "nginx-sse");
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(200); // the stream is registered on its node before the first publish
        try {
            // proxy_buffering is on: only Herald's X-Accel-Buffering: no makes nginx pass each event on at once.
            for (int i = 1; i <= 5; i++) {
                long sent = System.nanoTime();
                publish(topic, "flow " + i);
                assertThat(data.poll(2, TimeUnit.SECONDS)).isEqualTo("flow " + i);
                assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofMillis(1000));
            }
            // nginx gives up on a stream silent for its read timeout; heartbeats (each second here) keep it open.
            assertThat(data.poll(Nginx.STREAM_READ_TIMEOUT.toMillis() + 1500, TimeUnit.MILLISECONDS)).isNull();
            publish(topic, "after the silence");
            assertThat(data.poll(2, TimeUnit.SECONDS)).isEqualTo("after the silence");
        } finally {
            response.body().close();
        }
    }

    @Test
    void consecutivePollsAndPublishesOfOneClientLandOnBothNodesAndLoseNothing() throws Exception {
        String topic = "pub/nginx/rotation";
        HttpResponse<String> first = get(cluster.base() + "/api/v1/poll?topic=" + topic + "&timeout=0");
        String cursor = Transports.JSON.readTree(first.body()).path("cursor").asText();
        List<String> published = new ArrayList<>();
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            published.add(publish(topic, "r" + i));
            // Each poll goes on from the cursor of the last, on whichever node nginx picks.
            HttpResponse<String> poll = get(cluster.base() + "/api/v1/poll?topic=" + topic + "&timeout=5&cursor="
                    + cursor);
            assertThat(poll.statusCode()).as(poll.body()).isEqualTo(200);
            JsonNode answer = Transports.JSON.readTree(poll.body());
            answer.path("messages").forEach(m -> got.add(m.path("id").asText()));
            cursor = answer.path("cursor").asText();
        }
        assertThat(got).isEqualTo(published);
        List<String> log = cluster.nginx().accessLog();
        for (String path : List.of("/api/v1/poll", "/api/v1/publish")) {
            for (int node = 0; node < 2; node++) {
                String upstream = "upstream=127.0.0.1:" + cluster.nodePort(node);
                assertThat(log).as(path + " on node " + node)
                        .anyMatch(line -> line.contains(" " + path + " 200 ") && line.endsWith(upstream));
            }
        }
    }

    @Test
    void aCursorGivenByOneNodeResumesOnTheOther() throws Exception {
        String topic = "pub/nodes/cursor";
        String first = signedPublish(cluster.node(0), topic, "one");
        String second = signedPublish(cluster.node(0), topic, "two");
        HttpResponse<String> poll = get(cluster.node(1) + "/api/v1/poll?topic=" + topic + "&timeout=5&cursor="
                + first);
        JsonNode answer = Transports.JSON.readTree(poll.body());
        assertThat(answer.path("messages")).hasSize(1);
        assertThat(answer.path("messages").get(0).path("id").asText()).isEqualTo(second);
        assertThat(answer.path("messages").get(0).path("data").asText()).isEqualTo("two");
    }

    @Test
    void anIdempotencyKeyHoldsAcrossNodes() throws Exception {
        String body = "{\"topic\": \"pub/nodes/keyed\", \"data\": \"once\", \"id\": \"order-7f3a\"}";
        Instant now = Instant.now();
        HttpResponse<String> a = send("POST", cluster.node(0) + "/api/v1/publish", body, APP.key(), APP.secret(),
                now);
        // Signed a second earlier, so that it is not the same signed request (that would be a replay).
        HttpResponse<String> b = send("POST", cluster.node(1) + "/api/v1/publish", body, APP.key(), APP.secret(),
                now.minusSeconds(1));
        assertThat(a.statusCode()).as(a.body()).isEqualTo(200);
        assertThat(b.statusCode()).as(b.body()).isEqualTo(200);
        JsonNode first = Transports.JSON.readTree(a.body());
        JsonNode again = Transports.JSON.readTree(b.body());
        assertThat(first.path("duplicate").asBoolean()).isFalse();
        assertThat(again.path("duplicate").asBoolean()).isTrue();
        assertThat(again.path("id").asText()).isEqualTo(first.path("id").asText());
    }

    @Test
    void aSignedRequestAcceptedByOneNodeIsAReplayOnTheOther() throws Exception {
        byte[] body = "{\"topic\": \"pub/nodes/replay\", \"data\": \"x\"}".getBytes(StandardCharsets.UTF_8);
        String path = "/api/v1/publish";
        // Both nodes are on 127.0.0.1 but on different ports, and the port is signed (Host): sign for each.
        Instant date = Instant.now();
        Signer signer = new Signer(APP.key(), APP.secret());
        Signer.Signed forNode0 = signer.sign("POST", cluster.node(0) + path, Map.of("Content-Type",
                "application/json"), body, date);
        assertThat(send(forNode0, "POST", cluster.node(0) + path, body).statusCode()).isEqualTo(200);
        // The same signed request, sent through nginx to both nodes in turn with the Host it was signed for.
        HttpResponse<String> replayed = send(forNode0, "POST", cluster.node(0) + path, body);
        assertThat(replayed.statusCode()).isEqualTo(401);
        assertThat(type(replayed)).isEqualTo("replayed");

        Signer.Signed throughNginx = signer.sign("POST", cluster.base() + path, Map.of("Content-Type",
                "application/json"), body, date);
        assertThat(send(throughNginx, "POST", cluster.base() + path, body).statusCode()).isEqualTo(200);
        for (int i = 0; i < 2; i++) { // round-robin: one of these reaches the node that did not accept it
            HttpResponse<String> again = send(throughNginx, "POST", cluster.base() + path, body);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(401);
            assertThat(type(again)).isEqualTo("replayed");
        }
    }

    @Test
    void aTokenMintedByOneNodeIsTakenByTheOther() throws Exception {
        HttpResponse<String> minted = send("POST", cluster.node(0) + "/api/v1/tokens",
                "{\"user\": \"alice\", \"subscribe\": [\"user/{sub}/#\"], \"ttlSeconds\": 300}", APP.key(),
                APP.secret(), Instant.now());
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
        String token = Transports.JSON.readTree(minted.body()).path("token").asText();
        HttpResponse<String> poll = get(cluster.node(1) + "/api/v1/poll?topic=user/alice/inbox&timeout=0"
                + "&access_token=" + token);
        assertThat(poll.statusCode()).as(poll.body()).isEqualTo(200);
        HttpResponse<String> other = get(cluster.node(1) + "/api/v1/poll?topic=user/bob/inbox&timeout=0"
                + "&access_token=" + token);
        assertThat(other.statusCode()).isEqualTo(403);
    }

    @Test
    void anAppsPublishRateHoldsAcrossNodes() throws Exception {
        // 5 a second, 10 in a burst, however the publishes are spread over the nodes.
        long started = System.nanoTime();
        int accepted = 0;
        List<Integer> refusedBy = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int node = i % 2;
            HttpResponse<String> r = send("POST", cluster.node(node) + "/api/v1/publish",
                    "{\"topic\": \"limited/t\", \"data\": \"" + i + "\"}", LIMITED_KEY, LIMITED_SECRET, Instant.now());
            if (r.statusCode() == 200) {
                accepted++;
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                assertThat(type(r)).isEqualTo("publish-rate");
                assertThat(r.headers().firstValue("retry-after")).isPresent();
                refusedBy.add(node);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(accepted).isBetween(10, 10 + (int) Math.ceil(5 * seconds));
        assertThat(refusedBy).contains(0, 1);
    }

    @Test
    void theRequestRateOfAnAddressIsCountedInRedisForEveryNode() throws Exception {
        // Behind nginx every request comes from nginx's address: one bucket for it, shared by the nodes.
        get(cluster.node(0) + "/healthz");
        Object tokens = cluster.redis().call("HGET", "herald:rate:ip:127.0.0.1", "n");
        assertThat(tokens).isNotNull();
        assertThat((Long) cluster.redis().call("PTTL", "herald:rate:ip:127.0.0.1")).isPositive();
    }
}
