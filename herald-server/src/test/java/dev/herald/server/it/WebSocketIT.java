package dev.herald.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Selector;
import dev.herald.server.HeraldServer;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.App;
import dev.herald.server.auth.sign.Signer;
import dev.herald.server.auth.token.TokenMinter;
import dev.herald.server.config.HeraldConfig;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WebSocket transport over real sockets, with the JDK's WebSocket client, against the durable store. */
class WebSocketIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    private HeraldServer start(HeraldConfig.Builder config) {
        HeraldServer server = HeraldServer.start(config.port(0).host("127.0.0.1").dataDir(dir.resolve("data"))
                .bare().everythingPublic().requestsPerSecondPerIp(100_000).build());
        open.add(server);
        return server;
    }

    /** As {@link GatewayIT}: only the demo topics are public; the apps CHAT and OTHER. */
    private Http startWithApps(HeraldConfig.Builder config) {
        HeraldServer server = HeraldServer.start(config.port(0).host("127.0.0.1").memoryStore().bare()
                .access(new Access(HeraldConfig.DEFAULT_ACCESS.publicTopics(), List.of(),
                        List.of(GatewayIT.CHAT, GatewayIT.OTHER)))
                .build());
        open.add(server);
        return new Http(server.port());
    }

    private <T extends AutoCloseable> T track(T closeable) {
        open.add(closeable);
        return closeable;
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static String publishBody(String topic, String data) {
        return "{\"topic\":\"" + topic + "\",\"data\":\"" + data + "\"}";
    }

    @Test
    void subscriptionsWithWildcardsReceiveWhatTheirSelectorsMatch() throws Exception {
        Http http = new Http(start(HeraldConfig.builder()).port());
        WsClient ws = track(WsClient.connect(http, ""));
        ws.subscribe("chat", "[\"chat/+\"]", null);
        ws.subscribe("meters", "[\"meters/#\",\"alarms\"]", null);
        Map<String, String> started = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            JsonNode subscribed = ws.next("subscribed");
            started.put(subscribed.get("id").asText(), subscribed.get("cursor").asText());
        }
        assertThat(started).containsOnlyKeys("chat", "meters");

        String hello = Http.id(http.publishJson(publishBody("chat/room-1", "hello")));
        http.publishJson(publishBody("chat/room-1/thread", "too deep for chat/+"));
        String reading = Http.id(http.publishJson(publishBody("meters/m-1/reading", "42")));
        http.publishJson(publishBody("other", "nobody's"));

        JsonNode first = ws.next("message");
        assertThat(first.get("sub").asText()).isEqualTo("chat");
        assertThat(first.get("message").get("id").asText()).isEqualTo(hello);
        assertThat(first.get("message").get("topic").asText()).isEqualTo("chat/room-1");
        assertThat(first.get("message").get("data").asText()).isEqualTo("hello");
        assertThat(first.get("message").get("event").asText()).isEqualTo("message");
        JsonNode second = ws.next("message");
        assertThat(second.get("sub").asText()).isEqualTo("meters");
        assertThat(second.get("message").get("id").asText()).isEqualTo(reading);
        Thread.sleep(200);
        assertThat(ws.frames).isEmpty();

        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("herald_connections{transport=\"websocket\"} 1.0")
                .contains("herald_messages_delivered_total{transport=\"websocket\"} 2.0");
    }

    @Test
    void aCursorMeansTheSameOnSseAndWebSocket() throws Exception {
        Http http = new Http(start(HeraldConfig.builder()).port());
        SseClient sse = track(http.stream("topic=t", null));
        PublishSubscribeIT.awaitOpen(sse);
        for (int i = 1; i <= 3; i++) {
            http.publishJson(publishBody("t", "m" + i));
        }
        List<SseClient.Event> events = sse.next(3);

        WsClient ws = track(WsClient.connect(http, ""));
        ws.subscribe("s", "[\"t\"]", events.get(0).id());
        assertThat(ws.next("subscribed").get("cursor").asText()).isEqualTo(events.get(0).id());
        List<JsonNode> replayed = ws.messages(2);
        assertThat(replayed).extracting(m -> m.get("message").get("id").asText())
                .containsExactly(events.get(1).id(), events.get(2).id());
        assertThat(replayed).extracting(m -> m.get("message").get("data").asText()).containsExactly("m2", "m3");

        // And back: a WebSocket message's id resumes an event stream.
        SseClient resumed = track(http.stream("topic=t", replayed.get(0).get("message").get("id").asText()));
        assertThat(resumed.next()).isEqualTo(events.get(2));
    }

    @Test
    void aReconnectingClientMissesNothingWhilePublishersRun() throws Exception {
        Http http = new Http(start(HeraldConfig.builder()).port());
        int total = 1500;
        AtomicBoolean failed = new AtomicBoolean();
        Thread publisher = new Thread(() -> {
            try {
                for (int i = 1; i <= total; i++) {
                    if (http.publishJson(publishBody("load/" + i % 3, String.valueOf(i))).statusCode() != 200) {
                        failed.set(true);
                    }
                }
            } catch (Exception e) {
                failed.set(true);
            }
        });
        WsClient current = track(WsClient.connect(http, ""));
        current.subscribe("load", "[\"load/+\"]", null);
        String cursor = current.next("subscribed").get("cursor").asText();
        publisher.start();
        List<Integer> received = new ArrayList<>();
        // Drop the connection four times mid-stream and come back with the last cursor seen.
        for (int round = 0; round < 5; round++) {
            int take = round < 4 ? 200 : total - received.size();
            for (int i = 0; i < take; i++) {
                JsonNode m = current.next("message").get("message");
                received.add(Integer.parseInt(m.get("data").asText()));
                cursor = m.get("id").asText();
            }
            current.close();
            if (round < 4) {
                Thread.sleep(30);
                current = track(WsClient.connect(http, ""));
                current.subscribe("load", "[\"load/+\"]", cursor);
                assertThat(current.next("subscribed").get("cursor").asText()).isEqualTo(cursor);
            }
        }
        publisher.join();
        assertThat(failed).isFalse();
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            expected.add(i);
        }
        assertThat(received).isEqualTo(expected);
    }

    @Test
    void aCursorOlderThanTheHistoryIsToldExplicitly() throws Exception {
        Http http = new Http(start(HeraldConfig.builder().retentionRules(List.of(
                new RetentionPolicy.Rule(Selector.of("short/#"), new Retention(5, Duration.ofHours(1)))))).port());
        String firstId = null;
        for (int i = 1; i <= 20; i++) {
            String id = Http.id(http.publishJson(publishBody("short/t", String.valueOf(i))));
            firstId = firstId == null ? id : firstId;
        }
        WsClient ws = track(WsClient.connect(http, ""));
        ws.subscribe("s", "[\"short/t\"]", firstId);
        ws.next("subscribed");
        JsonNode truncated = ws.next("truncated");
        assertThat(truncated.get("sub").asText()).isEqualTo("s");
        assertThat(truncated.get("cursor").asText()).isEqualTo(firstId);
        assertThat(ws.messages(5)).extracting(m -> m.get("message").get("data").asText())
                .containsExactly("16", "17", "18", "19", "20");

        // The same signal, in the same words, as the event stream's.
        SseClient sse = track(http.stream("topic=short/t", firstId));
        SseClient.Event signal = sse.next();
        assertThat(signal.event()).isEqualTo("herald.truncated");
        assertThat(JSON.readTree(signal.data()).get("detail")).isEqualTo(truncated.get("detail"));

        ws.subscribe("foreign", "[\"short/t\"]", "otherepoch-3");
        ws.next("subscribed");
        assertThat(ws.next("truncated").get("cursor").asText()).isEqualTo("otherepoch-3");
        assertThat(ws.next("message").get("message").get("data").asText()).isEqualTo("16");
    }

    @Test
    void aPublishOverTheSocketReachesAnEventStream() throws Exception {
        Http http = new Http(start(HeraldConfig.builder()).port());
        SseClient sse = track(http.stream("topic=room/%2B", null));
        PublishSubscribeIT.awaitOpen(sse);
        WsClient ws = track(WsClient.connect(http, ""));
        ws.send("{\"type\":\"publish\",\"ref\":\"r1\",\"topic\":\"room/1\",\"event\":\"chat\",\"data\":\"hi\","
                + "\"key\":\"msg-1\"}");
        JsonNode ack = ws.next("published");
        assertThat(ack.get("ref").asText()).isEqualTo("r1");
        assertThat(ack.get("duplicate").asBoolean()).isFalse();
        assertThat(sse.next()).isEqualTo(new SseClient.Event(ack.get("id").asText(), "chat", "hi"));

        ws.send("{\"type\":\"publish\",\"ref\":\"r2\",\"topic\":\"room/1\",\"event\":\"chat\",\"data\":\"hi\","
                + "\"key\":\"msg-1\"}");
        JsonNode again = ws.next("published");
        assertThat(again.get("duplicate").asBoolean()).isTrue();
        assertThat(again.get("id")).isEqualTo(ack.get("id"));

        ws.send("{\"type\":\"publish\",\"ref\":\"big\",\"topic\":\"room/1\",\"data\":\"" + "x".repeat(64 * 1024 + 1)
                + "\"}");
        JsonNode error = ws.next("error");
        assertThat(error.get("ref").asText()).isEqualTo("big");
        assertThat(error.get("problem").get("status").asInt()).isEqualTo(413);
        assertThat(error.get("problem").get("type").asText()).isEqualTo("urn:herald:problem:data-too-large");

        ws.send("{\"type\":\"publish\",\"ref\":\"r3\",\"topic\":\"room/2\",\"data\":\"still open\"}");
        assertThat(ws.next("published").get("ref").asText()).isEqualTo("r3");
        assertThat(sse.next().data()).isEqualTo("still open");
        Thread.sleep(200);
        assertThat(sse.events).isEmpty();
    }

    @Test
    void credentialsAreRefusedBeforeTheUpgradeAsOnEveryTransport() throws Exception {
        Http http = startWithApps(HeraldConfig.builder());
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> WsClient.connect(http, "access_token=not-a-token"));
        assertThat(refused.getCause()).isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode()).isEqualTo(401);

        // The same answer, byte for byte in its body, as the event stream gives the same credentials.
        HttpResponse<String> stream = http.get("/api/v1/stream?topic=chat/x&access_token=not-a-token");
        String upgrade = rawUpgrade(http, "access_token=not-a-token");
        assertThat(upgrade).startsWith("HTTP/1.1 401 Unauthorized\r\n")
                .contains("content-type: application/problem+json; charset=utf-8\r\n")
                .contains("www-authenticate: ")
                .endsWith("\r\n\r\n" + stream.body());
        assertThat(stream.statusCode()).isEqualTo(401);

        String plain = http.get("/api/v1/ws").body();
        assertThat(plain).contains("urn:herald:problem:upgrade-required");
    }

    @Test
    void aUserTokenReadsOnlyWhatItsAppAndItsUserMay() throws Exception {
        Http http = startWithApps(HeraldConfig.builder());
        String token = new TokenMinter().mint(GatewayIT.CHAT, "alice", List.of("#"), List.of("chat/#", "other/#"),
                Duration.ofMinutes(10));
        WsClient ws = track(WsClient.connect(http, "", Map.of("Authorization", "Bearer " + token)));
        ws.subscribe("all", "[\"#\"]", null);
        ws.next("subscribed");
        for (String topic : List.of("user/bob/inbox", "other/x", "user/alice/inbox", "chat/room-1")) {
            App by = topic.startsWith("other") ? GatewayIT.OTHER : GatewayIT.CHAT;
            assertThat(http.client.send(signed(http, by, publishBody(topic, topic)),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
        assertThat(ws.messages(2)).extracting(m -> m.get("message").get("data").asText())
                .containsExactly("user/alice/inbox", "chat/room-1");
        Thread.sleep(200);
        assertThat(ws.frames).isEmpty();

        ws.subscribe("bob", "[\"user/bob/#\"]", null);
        JsonNode forbidden = ws.next("error");
        assertThat(forbidden.get("sub").asText()).isEqualTo("bob");
        assertThat(forbidden.get("problem").get("status").asInt()).isEqualTo(403);
        ws.send("{\"type\":\"publish\",\"ref\":\"p\",\"topic\":\"other/x\",\"data\":\"not hers\"}");
        JsonNode notHers = ws.next("error");
        assertThat(notHers.get("ref").asText()).isEqualTo("p");
        assertThat(notHers.get("problem").get("type").asText()).isEqualTo("urn:herald:problem:forbidden");
        ws.send("{\"type\":\"publish\",\"ref\":\"q\",\"topic\":\"chat/room-1\",\"data\":\"from alice\"}");
        // Her own subscription has it too: fanned out before the log answered the publish, so usually first.
        List<JsonNode> two = List.of(ws.next(), ws.next());
        assertThat(two).extracting(f -> f.get("type").asText()).containsExactlyInAnyOrder("published", "message");
        assertThat(two).anySatisfy(f -> assertThat(f.path("message").path("data").asText()).isEqualTo("from alice"))
                .anySatisfy(f -> assertThat(f.path("ref").asText()).isEqualTo("q"));

        // Anonymous, the socket reads the public topics only.
        WsClient anonymous = track(WsClient.connect(http, ""));
        anonymous.subscribe("chat", "[\"chat/#\"]", null);
        assertThat(anonymous.next("error").get("problem").get("type").asText())
                .isEqualTo("urn:herald:problem:credentials-required");
    }

    @Test
    void theServerPingsAndClosesAClientThatNeverAnswers() throws Exception {
        Http http = new Http(start(HeraldConfig.builder().heartbeat(Duration.ofSeconds(1))).port());
        WsClient ws = track(WsClient.connect(http, ""));
        // The JDK client answers each ping with a pong: the connection stays.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ws.pings.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ws.pings.get()).isGreaterThanOrEqualTo(3);
        assertThat(ws.closed).isNotDone();
        ws.subscribe("s", "[\"t\"]", null);
        assertThat(ws.next("subscribed")).isNotNull();

        // A client that reads but never answers is taken for gone after two intervals.
        try (Socket silent = new Socket("127.0.0.1", Integer.parseInt(http.base.substring(http.base.lastIndexOf(':') + 1)))) {
            silent.setSoTimeout(10_000);
            long opened = System.nanoTime();
            silent.getOutputStream().write(upgradeRequest("").getBytes(StandardCharsets.US_ASCII));
            InputStream in = silent.getInputStream();
            assertThat(readHead(in)).startsWith("HTTP/1.1 101");
            DataInputStream frames = new DataInputStream(in);
            int pings = 0;
            while (true) {
                int b0 = frames.readUnsignedByte();
                int len = frames.readUnsignedByte() & 0x7f;
                byte[] payload = frames.readNBytes(len);
                if (b0 == 0x89) {
                    pings++;
                    continue;
                }
                assertThat(b0).isEqualTo(0x88);
                assertThat(((payload[0] & 0xff) << 8) | (payload[1] & 0xff)).isEqualTo(1001);
                break;
            }
            assertThat(pings).isEqualTo(2);
            // Two intervals after the first unanswered ping, which came within an interval of the upgrade.
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isBetween(Duration.ofMillis(1900),
                    Duration.ofSeconds(5));
            assertThatThrownBy(frames::readUnsignedByte).as("then the connection ends").isInstanceOfAny(
                    EOFException.class, IOException.class);
        }
    }

    @Test
    void aConnectionWhoseTokenExpiresIsToldThenClosedWith1008() throws Exception {
        Http http = startWithApps(HeraldConfig.builder());
        String token = new TokenMinter().mint(GatewayIT.CHAT, "alice", List.of("chat/#"), List.of(),
                Duration.ofSeconds(2));
        WsClient ws = track(WsClient.connect(http, "access_token=" + token));
        ws.subscribe("s", "[\"chat/#\"]", null);
        ws.next("subscribed");
        JsonNode expired = ws.next("token-expired");
        assertThat(expired.get("detail").asText()).contains("renew");
        WsClient.Closed closed = ws.awaitClose();
        assertThat(closed.code()).isEqualTo(1008);
        assertThat(closed.reason()).isEqualTo("token expired");
    }

    @Test
    void aShutdownTellsClientsToComeBack() throws Exception {
        HeraldServer server = start(HeraldConfig.builder());
        Http http = new Http(server.port());
        WsClient ws = track(WsClient.connect(http, ""));
        ws.subscribe("s", "[\"t\"]", null);
        ws.next("subscribed");
        server.close();
        assertThat(ws.awaitClose().code()).isEqualTo(1001);
    }

    @Test
    void badFramesCloseWithTheirRfcCodes() throws Exception {
        Http http = new Http(start(HeraldConfig.builder()).port());
        WsClient binary = track(WsClient.connect(http, ""));
        binary.socket.sendBinary(java.nio.ByteBuffer.wrap(new byte[] {1, 2}), true).get();
        assertThat(binary.awaitClose().code()).isEqualTo(1003);

        WsClient malformed = track(WsClient.connect(http, ""));
        malformed.send("{\"type\":\"subscribe\",");
        assertThat(malformed.awaitClose().code()).isEqualTo(1007);

        WsClient oversized = track(WsClient.connect(http, ""));
        oversized.socket.sendText("x".repeat(64 * 1024 + 16 * 1024 + 1), true);
        assertThat(oversized.awaitClose().code()).isEqualTo(1009);
    }

    private static HttpRequest signed(Http http, App app, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of("Content-Type", "application/json");
        Signer.Signed s = new Signer(app.key(), app.secret()).sign("POST", http.base + "/api/v1/publish", headers,
                bytes, Instant.now());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.base + "/api/v1/publish"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        headers.forEach(b::header);
        s.headers().forEach(b::header);
        return b.build();
    }

    private static String upgradeRequest(String query) {
        return "GET /api/v1/ws" + (query.isEmpty() ? "" : "?" + query) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
    }

    /** Sends an upgrade request by hand and reads the whole (refusing) answer. */
    private static String rawUpgrade(Http http, String query) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(http.base.substring(http.base.lastIndexOf(':') + 1)))) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(upgradeRequest(query).getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            int length = Integer.parseInt(head.replaceAll("(?s).*content-length: (\\d+).*", "$1"));
            return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the connection ended in the head: " + head);
            }
            head.append((char) c);
        }
        return head.toString();
    }
}
