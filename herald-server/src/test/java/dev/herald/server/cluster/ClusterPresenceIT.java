package dev.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.core.Selector;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.token.TokenMinter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Presence on a cluster of its own for each test (Redis with AOF, two node processes, nginx): a user streaming
 * from one node is listed by the other and announced once to a subscriber there; when its node is killed
 * ({@code kill -9}) the user leaves by itself once its seats run out, announced by the survivor; while Redis is
 * away the list answers 503, and it comes back with the users.
 */
class ClusterPresenceIT {
    private static final String TOPIC = "chat/lobby";
    private static final App APP = new App("chat", "HKPRESENCEAPPKEY0001", "presence-secret-0123456789-abcdefghijk",
            new Permissions(List.of(Selector.of("chat/#")), List.of(Selector.of("chat/#"))), List.of(), 0,
            List.of());
    /** How long a crashed node's users may take to leave: a seat's TTL, a sweep, and room to spare. */
    private static final long LEAVE_SECONDS = RedisPresence.REFRESH.multipliedBy(3).plusSeconds(25).toSeconds();

    @RegisterExtension
    final TestCluster cluster = TestCluster.of("""
            access:
              public: {publish: ["chat/#"], subscribe: ["chat/#"]}
              apps:
                - name: %s
                  key: %s
                  secret: "%s"
                  publish: ["chat/#"]
                  subscribe: ["chat/#"]
            """.formatted(APP.name(), APP.key(), APP.secret()));

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static String token(String user) {
        return new TokenMinter().mint(APP, user, List.of("chat/#"), List.of(), Duration.ofMinutes(10));
    }

    private HttpResponse<String> presence(String base) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/presence?topic=" + TOPIC))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> present(String base) throws Exception {
        HttpResponse<String> r = presence(base);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> users = new ArrayList<>();
        Traffic.JSON.readTree(r.body()).path("users").forEach(u -> users.add(u.path("username").asText()));
        return users;
    }

    private boolean lists(String base, List<String> users) {
        try {
            return present(base).equals(users);
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    @Test
    void aUserOnOneNodeIsListedByTheOtherAndLeavesByItselfWhenItsNodeIsKilled() throws Exception {
        // An anonymous subscriber is nobody: it watches the room from node 1, history and all.
        try (Events room = new Events(cluster.node(1) + "/api/v1/stream?history=100&topic=" + TOPIC);
                Events alice = new Events(cluster.node(0) + "/api/v1/stream?topic=" + TOPIC + "&access_token="
                        + token("alice"))) {
            assertThat(room.next(15)).isEqualTo("userlogin alice");
            assertThat(present(cluster.node(1))).as("asked through the other node").containsExactly("alice");
            assertThat(present(cluster.node(0))).containsExactly("alice");

            try (Events bob = new Events(cluster.node(1) + "/api/v1/stream?topic=" + TOPIC + "&access_token="
                    + token("bob"))) {
                assertThat(room.next(15)).isEqualTo("userlogin bob");
                assertThat(present(cluster.base())).containsExactly("alice", "bob");

                cluster.kill(0);
                assertThat(room.next(LEAVE_SECONDS)).as("alice left with her node")
                        .isEqualTo("userlogout alice");
                assertThat(present(cluster.node(1))).containsExactly("bob");
                HttpResponse<String> published = http.send(HttpRequest.newBuilder(URI.create(cluster.node(1)
                        + "/api/v1/publish")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"" + TOPIC + "\",\"data\":\"next\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
                assertThat(room.next(15)).as("her leaving announced once").isEqualTo("message next");
            }
        }
    }

    @Test
    void whileRedisIsAwayTheListAnswers503AndItComesBackWithTheUsers() throws Exception {
        try (Events alice = new Events(cluster.node(0) + "/api/v1/stream?topic=" + TOPIC + "&access_token="
                + token("alice"))) {
            assertThat(Traffic.await(15, () -> lists(cluster.node(1), List.of("alice")))).isTrue();

            cluster.redis().stop(); // SIGKILL
            for (int node = 0; node < 2; node++) {
                HttpResponse<String> refused = presence(cluster.node(node));
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                assertThat(refused.headers().firstValue("content-type")).hasValueSatisfying(
                        type -> assertThat(type).startsWith("application/problem+json"));
                assertThat(Traffic.problemType(refused.body())).isEqualTo("presence-unavailable");
                assertThat(refused.headers().firstValue("retry-after")).isPresent();
            }

            cluster.redis().start(); // the AOF brings the seats back; the nodes' refresh would otherwise
            assertThat(Traffic.await(30, () -> lists(cluster.node(1), List.of("alice"))
                    && lists(cluster.node(0), List.of("alice")))).as("listed again on both nodes").isTrue();
        }
    }

    /**
     * One event stream, not reconnected, read on a thread of its own: each event as {@code userlogin alice}
     * (presence events: the user) or {@code message next} (other events: the text of the stamped message).
     */
    private final class Events implements AutoCloseable {
        private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        private final InputStream body;

        Events(String url) throws Exception {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            body = r.body();
            Thread reader = new Thread(this::read, "events");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String event = "message";
                String data = null;
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.isEmpty()) {
                        if (data != null) {
                            JsonNode json = Traffic.JSON.readTree(data);
                            events.add(event + " " + (json.has("username") ? json.path("username").asText()
                                    : json.path("text").asText()));
                        }
                        event = "message";
                        data = null;
                    } else if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data = line.substring(5).trim();
                    }
                }
            } catch (IOException e) {
                // closed, or the node went away
            }
        }

        String next(long seconds) throws InterruptedException {
            String e = events.poll(seconds, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no event within " + seconds + " s");
            }
            return e;
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }
}
