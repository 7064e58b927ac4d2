package dev.herald.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.core.Draft;
import dev.herald.core.Topic;
import dev.herald.server.HeraldServer;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.token.TokenMinter;
import dev.herald.server.config.HeraldConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long polling and plain polling over real sockets, against the embedded durable store. */
class PollIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private HeraldServer server;
    private Http http;

    /** A poll's answer as the client read it, and how long it took. */
    record Answer(int status, JsonNode body, Duration took) {
        List<String> data() {
            List<String> data = new ArrayList<>();
            body.get("messages").forEach(m -> data.add(m.get("data").asText()));
            return data;
        }

        List<String> ids() {
            List<String> ids = new ArrayList<>();
            body.get("messages").forEach(m -> ids.add(m.get("id").asText()));
            return ids;
        }

        String cursor() {
            return body.get("cursor").asText();
        }
    }

    private void start(HeraldConfig.Builder config) {
        server = HeraldServer.start(config.port(0).host("127.0.0.1").dataDir(dir.resolve("data")).bare()
                .requestsPerSecondPerIp(100_000).build());
        open.add(server);
        http = new Http(server.port());
    }

    private void start() {
        start(HeraldConfig.builder().everythingPublic());
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private CompletableFuture<Answer> pollAsync(String query) {
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(http.uri("/api/v1/poll?" + query))
                .timeout(Duration.ofSeconds(70)).build();
        return http.client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            try {
                return new Answer(r.statusCode(), JSON.readTree(r.body()), took);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + r.body(), e);
            }
        });
    }

    private Answer poll(String query) throws Exception {
        Answer a = pollAsync(query).get(70, TimeUnit.SECONDS);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
        return a;
    }

    private String publish(String topic, String data) throws Exception {
        HttpResponse<String> r = http.publishJson("{\"topic\":\"" + topic + "\",\"data\":\"" + data + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Http.id(r);
    }

    private void awaitHeld(int polls) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.hub().subscriptionCount() < polls && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(server.hub().subscriptionCount()).as("polls held").isEqualTo(polls);
    }

    @Test
    void aLongPollIsHeldUntilAMessageIsPublishedAndAnsweredAtOnce() throws Exception {
        start();
        CompletableFuture<Answer> pending = pollAsync("topic=chat/room-1&timeout=20");
        awaitHeld(1);
        Thread.sleep(300);
        assertThat(pending).isNotDone();

        long published = System.nanoTime();
        String id = publish("chat/room-1", "hello");
        Answer a = pending.get(20, TimeUnit.SECONDS);
        Duration afterPublish = Duration.ofNanos(System.nanoTime() - published);
        assertThat(afterPublish).isLessThan(Duration.ofSeconds(1));
        assertThat(a.data()).containsExactly("hello");
        assertThat(a.ids()).containsExactly(id);
        assertThat(a.cursor()).isEqualTo(id);
        awaitHeld(0);
    }

    @Test
    void aPollWithNothingReturnsAtTheTimeoutWithItsStartAndTheNextGoesOnFromThere() throws Exception {
        start();
        String head = publish("elsewhere", "x");
        Answer empty = poll("topic=t&timeout=2");
        assertThat(empty.took()).isBetween(Duration.ofMillis(1900), Duration.ofMillis(4000));
        assertThat(empty.data()).isEmpty();
        assertThat(empty.cursor()).isEqualTo(head);

        String between = publish("t", "in between");
        Answer next = poll("topic=t&timeout=2&cursor=" + empty.cursor());
        assertThat(next.took()).isLessThan(Duration.ofSeconds(1));
        assertThat(next.data()).containsExactly("in between");
        assertThat(next.cursor()).isEqualTo(between);
    }

    @Test
    void aPlainPollReturnsAtOnce() throws Exception {
        start();
        for (int i = 1; i <= 3; i++) {
            publish("room", "m" + i);
        }
        Answer last2 = poll("topic=room&timeout=0&history=2");
        assertThat(last2.took()).isLessThan(Duration.ofSeconds(1));
        assertThat(last2.data()).containsExactly("m2", "m3");
        Answer nothing = poll("topic=room&timeout=0&cursor=" + last2.cursor());
        assertThat(nothing.took()).isLessThan(Duration.ofSeconds(1));
        assertThat(nothing.data()).isEmpty();
        assertThat(nothing.cursor()).isEqualTo(last2.cursor());
    }

    @Test
    void aPollerLoopingWithItsCursorGetsEveryMessageOnceInOrderWhilePublishersRun() throws Exception {
        start();
        int total = 1000;
        String cursor = poll("topic=load/%2B&timeout=0").cursor();
        AtomicBoolean failed = new AtomicBoolean();
        Thread publisher = new Thread(() -> {
            try {
                for (int i = 1; i <= total; i++) {
                    publish("load/" + (i % 3), Integer.toString(i));
                }
            } catch (Exception | AssertionError e) {
                failed.set(true);
            }
        });
        publisher.start();
        List<Integer> received = new ArrayList<>();
        int polls = 0;
        while (received.size() < total && polls < 5 * total) {
            Answer a = poll("topic=load/%2B&timeout=5&limit=50&cursor=" + cursor);
            polls++;
            a.data().forEach(d -> received.add(Integer.parseInt(d)));
            if (!a.ids().isEmpty()) {
                assertThat(a.cursor()).isEqualTo(a.ids().get(a.ids().size() - 1));
            }
            cursor = a.cursor();
        }
        publisher.join();
        assertThat(failed).isFalse();
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            expected.add(i);
        }
        assertThat(received).isEqualTo(expected);
        assertThat(polls).isGreaterThan(1);
        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("herald_connections{transport=\"longpoll\"} 0.0")
                .contains("herald_messages_delivered_total{transport=\"longpoll\"} 1000.0");
    }

    @Test
    void anSseIdIsAPollCursorAndAPollCursorIsALastEventId() throws Exception {
        start();
        SseClient stream = http.stream("topic=r", null);
        open.add(stream);
        PublishSubscribeIT.awaitOpen(stream);
        for (int i = 1; i <= 3; i++) {
            publish("r", "m" + i);
        }
        List<SseClient.Event> events = stream.next(3);
        Answer rest = poll("topic=r&timeout=0&cursor=" + events.get(0).id());
        assertThat(rest.data()).containsExactly("m2", "m3");
        assertThat(rest.ids()).containsExactly(events.get(1).id(), events.get(2).id());

        String after = publish("r", "m4");
        SseClient resumed = http.stream("topic=r", rest.cursor());
        open.add(resumed);
        assertThat(resumed.next()).isEqualTo(new SseClient.Event(after, "message", "m4"));
    }

    @Test
    void aTokensPermissionsFilterPollsAsTheyFilterStreams() throws Exception {
        start(HeraldConfig.builder().memoryStore()
                .access(new Access(HeraldConfig.DEFAULT_ACCESS.publicTopics(), List.of(),
                        List.of(GatewayIT.CHAT, GatewayIT.OTHER))));
        String token = new TokenMinter().mint(GatewayIT.CHAT, "alice", List.of("#"), List.of(),
                Duration.ofMinutes(10));
        String everything = "topic=%23&access_token=" + token;
        String cursor = poll(everything + "&timeout=0").cursor();

        // A long poll is not woken by what alice may not read.
        CompletableFuture<Answer> held = pollAsync(everything + "&timeout=20&cursor=" + cursor);
        awaitHeld(1);
        for (String topic : List.of("user/bob/inbox", "other/x")) {
            server.hub().publish(List.of(Draft.of(Topic.of(topic), topic))).join();
        }
        Thread.sleep(300);
        assertThat(held).isNotDone();
        for (String topic : List.of("user/alice/inbox", "chat/room-1")) {
            server.hub().publish(List.of(Draft.of(Topic.of(topic), topic))).join();
        }
        // The first of hers wakes it; the second may come in the same batch.
        Answer first = held.get(20, TimeUnit.SECONDS);
        assertThat(first.data()).startsWith("user/alice/inbox").isSubsetOf("user/alice/inbox", "chat/room-1");
        Answer all = poll(everything + "&timeout=0&cursor=" + cursor);
        assertThat(all.data()).containsExactly("user/alice/inbox", "chat/room-1");

        assertProblem(pollAsync("topic=user/bob/%23&access_token=" + token).get(), 403, "forbidden");
        assertProblem(pollAsync("topic=other/%23&access_token=" + token).get(), 403, "forbidden");
        assertProblem(pollAsync("topic=chat/room-1").get(), 401, "credentials-required");
        assertProblem(pollAsync("topic=chat/room-1&access_token=" + token + "x").get(), 401, "signature-mismatch");
    }

    @Test
    void aPollIsNotHeldPastItsTokensExpiryAndTheNextIsRefused() throws Exception {
        start(HeraldConfig.builder().memoryStore()
                .access(new Access(HeraldConfig.DEFAULT_ACCESS.publicTopics(), List.of(), List.of(GatewayIT.CHAT))));
        String token = new TokenMinter().mint(GatewayIT.CHAT, "alice", List.of("chat/#"), List.of(),
                Duration.ofSeconds(2));
        Answer a = poll("topic=chat/room-1&timeout=25&access_token=" + token);
        assertThat(a.took()).isLessThan(Duration.ofSeconds(3));
        assertThat(a.data()).isEmpty();
        // Within the verifier's clock-skew leeway, yet refused: a poll would be answered at once, over and over.
        assertProblem(pollAsync("topic=chat/room-1&timeout=25&access_token=" + token).get(), 401, "expired");
    }

    @Test
    void aKeepAliveConnectionServesPollAfterPollAndIsNotTimedOutWhileHeld() throws Exception {
        start(HeraldConfig.builder().everythingPublic().headerTimeout(Duration.ofMillis(500)));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            String request = "GET /api/v1/poll?topic=k&timeout=1 HTTP/1.1\r\nHost: x\r\n\r\n";
            for (int i = 0; i < 3; i++) {
                // Held for 1 s, twice the header deadline, which applies between requests only.
                out.write(request.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = readResponse(in);
                assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").contains("{\"messages\":[],\"cursor\":\"");
            }
            // After an answer, the next request's headers are due within the deadline again.
            String timedOut = readResponse(in);
            assertThat(timedOut).startsWith("HTTP/1.1 408 Request Timeout");
        }
    }

    private static String readResponse(InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed after: " + head);
            }
            head.append((char) b);
        }
        int length = Integer.parseInt(head.toString().replaceAll("(?s).*content-length: (\\d+)\r\n.*", "$1"));
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void assertProblem(Answer a, int status, String type) {
        assertThat(a.status()).as(a.body().toString()).isEqualTo(status);
        assertThat(a.body().get("type").asText()).isEqualTo("urn:herald:problem:" + type);
    }
}
