package dev.herald.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Draft;
import dev.herald.core.Hub;
import dev.herald.core.MemoryLog;
import dev.herald.core.Message;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Selector;
import dev.herald.core.Topic;
import dev.herald.server.LeakDetection;
import dev.herald.server.TestGateways;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.token.TokenMinter;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.http.BodyLimit;
import dev.herald.server.http.Router;
import dev.herald.server.json.MessageJson;
import dev.herald.server.limits.HeaderDeadline;
import dev.herald.server.limits.LocalRateLimits;
import dev.herald.server.limits.RateLimiter;
import dev.herald.server.publish.PublishRate;
import dev.herald.server.ops.Metrics;
import dev.herald.server.auth.Authenticator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The exact bytes of the WebSocket protocol, through the real pipeline (HTTP codec, header deadline, body
 * aggregator, router, then the upgrade), on an {@link EmbeddedChannel}.
 */
@ExtendWith(LeakDetection.class)
class WebSocketWireTest {
    private static final int MAX_DATA = 1024;
    private static final String UPGRADE = "GET /api/v1/ws%s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s\r\n";
    static final App CHAT = new App("chat", "HKCHATAPPKEY00000001", "chat-secret-0123456789-abcdefghijklmnop",
            new Permissions(List.of(Selector.of("chat/#")), List.of(Selector.of("chat/#"))), List.of(), 0, List.of());

    private final MemoryLog log = new MemoryLog(RetentionPolicy.of(HeraldConfig.DEFAULT_RETENTION), () -> 0L);
    private final Hub hub = new Hub(log, Runnable::run);
    private final Metrics metrics = new Metrics();
    private final MessageJson json = new MessageJson(log.epoch());
    private final String e = log.epoch();
    private EmbeddedChannel channel;

    private EmbeddedChannel connect(Authenticator authenticator) {
        HeraldConfig config = HeraldConfig.builder().memoryStore().maxDataBytes(MAX_DATA).maxTopicsPerSubscription(3)
                .maxHistory(100).heartbeat(Duration.ofSeconds(15)).build();
        WebSocketEndpoint endpoint = new WebSocketEndpoint(config, hub, authenticator, json,
                new PublishRate(new LocalRateLimits(new RateLimiter<>()), config.publishPerSecondPerApp()), metrics);
        Router router = Router.builder().route(HttpMethod.GET, "/api/v1/ws", endpoint).build((ctx, req, uri) -> { });
        return new EmbeddedChannel(new HttpServerCodec(), new HeaderDeadline(Duration.ofSeconds(10)),
                new BodyLimit(1 << 20), router);
    }

    /** Connects and upgrades; the 101 is checked and drained. */
    private void open() {
        channel = connect(TestGateways.open());
        String response = http(String.format(UPGRADE, "", ""));
        assertThat(response).startsWith("HTTP/1.1 101 Switching Protocols\r\n")
                .containsIgnoringCase("upgrade: websocket\r\n")
                .containsIgnoringCase("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n");
    }

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        metrics.close();
    }

    private String http(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        return new String(drain(), StandardCharsets.ISO_8859_1);
    }

    private byte[] drain() {
        channel.runPendingTasks();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object o;
        while ((o = channel.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) o;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            out.writeBytes(bytes);
            buf.release();
        }
        return out.toByteArray();
    }

    /** A frame as a browser sends it: masked. */
    private static byte[] clientFrame(boolean fin, int opcode, byte[] payload) {
        byte[] mask = {0x37, (byte) 0xfa, 0x21, 0x3d};
        ByteBuffer b = ByteBuffer.allocate(payload.length + 14);
        b.put((byte) ((fin ? 0x80 : 0) | opcode));
        if (payload.length < 126) {
            b.put((byte) (0x80 | payload.length));
        } else if (payload.length < 65536) {
            b.put((byte) (0x80 | 126)).putShort((short) payload.length);
        } else {
            b.put((byte) (0x80 | 127)).putLong(payload.length);
        }
        b.put(mask);
        for (int i = 0; i < payload.length; i++) {
            b.put((byte) (payload[i] ^ mask[i % 4]));
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    private void send(byte[] frame) {
        channel.writeInbound(Unpooled.wrappedBuffer(frame));
        channel.runPendingTasks();
    }

    private void sendText(String text) {
        send(clientFrame(true, 0x1, text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A frame as the server must send it: unmasked, minimal length encoding. */
    private static byte[] serverFrame(int opcode, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(payload.length + 10);
        b.put((byte) (0x80 | opcode));
        if (payload.length < 126) {
            b.put((byte) payload.length);
        } else {
            b.put((byte) 126).putShort((short) payload.length);
        }
        b.put(payload);
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] text(String json) {
        return serverFrame(0x1, json.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] close(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + r.length).putShort((short) code).put(r);
        return serverFrame(0x8, b.array());
    }

    /** Splits what the server wrote into frames, each as its exact bytes. */
    private static List<byte[]> frames(byte[] bytes) {
        List<byte[]> frames = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            assertThat(bytes[i + 1] & 0x80).as("server frames are not masked").isZero();
            int len = bytes[i + 1] & 0x7f;
            int head = 2;
            if (len == 126) {
                len = ((bytes[i + 2] & 0xff) << 8) | (bytes[i + 3] & 0xff);
                head = 4;
            }
            frames.add(Arrays.copyOfRange(bytes, i, i + head + len));
            i += head + len;
        }
        return frames;
    }

    private List<byte[]> frames() {
        return frames(drain());
    }

    private static String payload(byte[] frame) {
        int head = (frame[1] & 0x7f) == 126 ? 4 : 2;
        return new String(frame, head, frame.length - head, StandardCharsets.UTF_8);
    }

    private Message publish(String topic, String data) {
        return hub.publish(List.of(Draft.of(Topic.of(topic), data))).join().get(0).message();
    }

    private void subscribe(String id, String topics) {
        sendText("{\"type\":\"subscribe\",\"id\":\"" + id + "\",\"topics\":" + topics + "}");
    }

    @Test
    void theUpgradeAnswers101AndHandsTheConnectionToTheWebSocketHandlers() {
        open();
        assertThat(channel.pipeline().names()).contains("ws-keepalive", "ws-utf8", "ws-messages", "ws")
                .doesNotContain("HttpServerCodec#0", "HeaderDeadline#0", "BodyLimit#0", "Router#0");
        assertThat(metrics.connections("websocket").get()).isEqualTo(1);
        // The header deadline is gone: an upgraded connection that stays quiet is not answered 408.
        channel.advanceTimeBy(11, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(drain()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        channel.close();
        assertThat(metrics.connections("websocket").get()).isZero();
    }

    @Test
    void refusalsAreHttpProblemsBeforeTheUpgrade() {
        channel = connect(TestGateways.open());
        String refused = http(String.format(UPGRADE, "", "Authorization: Bearer not-a-token\r\n"));
        assertThat(refused).startsWith("HTTP/1.1 401 Unauthorized\r\n")
                .contains("content-type: application/problem+json")
                .contains("\"status\":401");
        assertThat(channel.pipeline().get(Router.class)).isNotNull();
        assertThat(channel.pipeline().get(WebSocketSession.class)).isNull();

        String plain = http("GET /api/v1/ws HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(plain).startsWith("HTTP/1.1 426 Upgrade Required\r\n").contains("upgrade: websocket\r\n")
                .contains("\"type\":\"urn:herald:problem:upgrade-required\"");
        String version = http(String.format(UPGRADE, "", "").replace("Version: 13", "Version: 99"));
        assertThat(version).startsWith("HTTP/1.1 426 Upgrade Required\r\n").contains("sec-websocket-version: 13\r\n");
        assertThat(channel.pipeline().get(HeaderDeadline.class)).isNotNull();
    }

    @Test
    void subscribedThenEachMessageAsItsExactBytes() {
        open();
        subscribe("s1", "[\"chat/+\"]");
        assertThat(frames()).containsExactly(text("{\"type\":\"subscribed\",\"id\":\"s1\",\"cursor\":\"" + e
                + "-0\"}"));
        publish("chat/a", "hello \"you\"\n\u00e9");
        publish("other", "not for s1");
        String message = "{\"type\":\"message\",\"sub\":\"s1\",\"message\":{\"id\":\"" + e
                + "-1\",\"topic\":\"chat/a\",\"event\":\"message\",\"data\":\"hello \\\"you\\\"\\n\u00e9\","
                + "\"time\":\"1970-01-01T00:00:00Z\"}}";
        assertThat(frames()).containsExactly(text(message));
    }

    @Test
    void aLongMessageHasA16BitLengthAndTheMessageJsonIsShared() {
        open();
        subscribe("a", "[\"t\"]");
        subscribe("b", "[\"#\"]");
        drain();
        Message m = publish("t", "x".repeat(300));
        List<byte[]> frames = frames();
        assertThat(frames).hasSize(2);
        byte[] first = frames.get(0);
        int length = first.length - 4;
        assertThat(Arrays.copyOf(first, 4)).containsExactly(0x81, 126, length >> 8, length & 0xff);
        String shared = json.of(m).toString(StandardCharsets.UTF_8);
        assertThat(frames).extracting(WebSocketWireTest::payload).containsExactlyInAnyOrder(
                "{\"type\":\"message\",\"sub\":\"a\",\"message\":" + shared + "}",
                "{\"type\":\"message\",\"sub\":\"b\",\"message\":" + shared + "}");
        assertThat(json.of(m)).isSameAs(json.of(m));
    }

    @Test
    void aCursorFromAnotherStoreIsSubscribedThenTruncatedThenReplayed() {
        open();
        publish("t", "one");
        sendText("{\"type\":\"subscribe\",\"id\":\"s1\",\"topics\":[\"t\"],\"cursor\":\"zzz-1\"}");
        List<byte[]> frames = frames();
        assertThat(frames).hasSize(3);
        assertThat(frames.get(0)).isEqualTo(text("{\"type\":\"subscribed\",\"id\":\"s1\",\"cursor\":\"" + e
                + "-0\"}"));
        assertThat(frames.get(1)).isEqualTo(text("{\"type\":\"truncated\",\"sub\":\"s1\",\"cursor\":\"zzz-1\","
                + "\"detail\":\"History no longer reaches back to this cursor: some messages after it were removed."
                + " Delivery goes on from the oldest message kept.\"}"));
        assertThat(payload(frames.get(2))).contains("\"data\":\"one\"");
    }

    @Test
    void resumesAfterACursorAndReplaysHistory() {
        open();
        publish("t", "one");
        publish("t", "two");
        publish("t", "three");
        sendText("{\"type\":\"subscribe\",\"id\":\"c\",\"topics\":[\"t\"],\"cursor\":\"" + e
                + "-1\",\"history\":1}");
        List<byte[]> frames = frames();
        assertThat(frames).extracting(WebSocketWireTest::payload).satisfiesExactly(
                s -> assertThat(s).contains("\"cursor\":\"" + e + "-1\""),
                s -> assertThat(s).contains("\"data\":\"two\""),
                s -> assertThat(s).contains("\"data\":\"three\""));
        sendText("{\"type\":\"subscribe\",\"id\":\"h\",\"topics\":[\"t\"],\"history\":1}");
        assertThat(frames()).extracting(WebSocketWireTest::payload).satisfiesExactly(
                s -> assertThat(s).contains("\"type\":\"subscribed\""),
                s -> assertThat(s).contains("\"data\":\"three\""));
    }

    @Test
    void unsubscribedMeansNothingMoreForThatId() {
        open();
        subscribe("s1", "[\"t\"]");
        drain();
        sendText("{\"type\":\"unsubscribe\",\"id\":\"s1\"}");
        assertThat(frames()).containsExactly(text("{\"type\":\"unsubscribed\",\"id\":\"s1\"}"));
        publish("t", "late");
        assertThat(drain()).isEmpty();
        sendText("{\"type\":\"unsubscribe\",\"id\":\"s1\"}");
        assertThat(payload(frames().get(0))).isEqualTo("{\"type\":\"error\",\"sub\":\"s1\",\"problem\":{\"type\":"
                + "\"urn:herald:problem:unknown-subscription\",\"title\":\"Not Found\",\"status\":404,\"detail\":"
                + "\"No subscription 's1' on this connection.\"}}");
    }

    @Test
    void aBadCommandIsAnErrorFrameAndTheConnectionStaysOpen() {
        open();
        subscribe("s1", "[\"a\",\"b\",\"c\",\"d\"]");
        assertThat(frames()).containsExactly(text("{\"type\":\"error\",\"sub\":\"s1\",\"problem\":{\"type\":"
                + "\"urn:herald:problem:too-many-topics\",\"title\":\"Bad Request\",\"status\":400,\"detail\":"
                + "\"The subscription names 4 topics, over the limit of 3 (limits.maxTopicsPerSubscription);"
                + " use a wildcard selector instead.\"}}"));
        record Case(String command, String error) {
        }
        for (Case c : List.of(
                new Case("{\"type\":\"subscribe\",\"id\":\"s1\",\"topics\":[\"a/#/b\"]}", "\"sub\":\"s1\",\"problem\":{\"type\":\"urn:herald:problem:invalid-topic\""),
                new Case("{\"type\":\"subscribe\",\"id\":\"s1\",\"topics\":[]}", "\"sub\":\"s1\",\"problem\":{\"type\":\"urn:herald:problem:missing-topic\""),
                new Case("{\"type\":\"subscribe\",\"id\":\"s1\",\"topics\":[\"t\"],\"cursor\":\"nonsense\"}", "\"sub\":\"s1\",\"problem\":{\"type\":\"urn:herald:problem:malformed-cursor\""),
                new Case("{\"type\":\"subscribe\",\"id\":\"s1\",\"topics\":[\"t\"],\"history\":101}", "\"sub\":\"s1\",\"problem\":{\"type\":\"urn:herald:problem:invalid-history\""),
                new Case("{\"type\":\"subscribe\",\"id\":\"s1\",\"topics\":[\"t\"],\"from\":1}", "\"sub\":\"s1\",\"problem\":{\"type\":\"urn:herald:problem:unknown-field\""),
                new Case("{\"type\":\"subscribe\",\"topics\":[\"t\"]}", "{\"type\":\"error\",\"problem\":{\"type\":\"urn:herald:problem:missing-field\""),
                new Case("{\"type\":\"subscribe\",\"id\":\"" + "x".repeat(65) + "\",\"topics\":[\"t\"]}", "{\"type\":\"error\",\"problem\":{\"type\":\"urn:herald:problem:invalid-subscription-id\""),
                new Case("{\"type\":\"dance\",\"ref\":\"r9\"}", "\"ref\":\"r9\",\"problem\":{\"type\":\"urn:herald:problem:unknown-type\""),
                new Case("{\"id\":\"s7\"}", "\"sub\":\"s7\",\"problem\":{\"type\":\"urn:herald:problem:missing-field\""))) {
            sendText(c.command());
            assertThat(payload(frames().get(0))).as(c.command()).startsWith("{\"type\":\"error\",").contains(c.error());
        }
        subscribe("s1", "[\"t\"]");
        assertThat(payload(frames().get(0))).startsWith("{\"type\":\"subscribed\"");
        subscribe("s1", "[\"t\"]");
        assertThat(payload(frames().get(0))).contains("\"sub\":\"s1\"").contains("subscription-exists")
                .contains("\"status\":409");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void theSubscriptionsOfAConnectionAreBounded() {
        open();
        for (int i = 1; i < WebSocketEndpoint.MAX_SUBSCRIPTIONS; i++) {
            subscribe("s" + i, "[\"t\"]");
        }
        subscribe("last", "[\"t\"]");
        assertThat(frames()).hasSize(WebSocketEndpoint.MAX_SUBSCRIPTIONS)
                .allSatisfy(f -> assertThat(payload(f)).startsWith("{\"type\":\"subscribed\""));
        subscribe("one-more", "[\"t\"]");
        assertThat(payload(frames().get(0))).startsWith("{\"type\":\"error\",\"sub\":\"one-more\",\"problem\":"
                + "{\"type\":\"urn:herald:problem:too-many-subscriptions\"");
        sendText("{\"type\":\"unsubscribe\",\"id\":\"s1\"}");
        subscribe("one-more", "[\"t\"]");
        assertThat(frames()).extracting(WebSocketWireTest::payload)
                .containsExactly("{\"type\":\"unsubscribed\",\"id\":\"s1\"}",
                        "{\"type\":\"subscribed\",\"id\":\"one-more\",\"cursor\":\"" + e + "-0\"}");
    }

    @Test
    void aPublishIsAcknowledgedOnceStoredAndByItsKeyOnlyOnce() {
        open();
        sendText("{\"type\":\"publish\",\"ref\":\"r1\",\"topic\":\"t\",\"event\":\"chat\",\"data\":\"x\","
                + "\"key\":\"k1\"}");
        assertThat(frames()).containsExactly(text("{\"type\":\"published\",\"ref\":\"r1\",\"id\":\"" + e
                + "-1\",\"duplicate\":false}"));
        sendText("{\"type\":\"publish\",\"ref\":\"r2\",\"topic\":\"t\",\"data\":\"x\",\"key\":\"k1\"}");
        assertThat(frames()).containsExactly(text("{\"type\":\"published\",\"ref\":\"r2\",\"id\":\"" + e
                + "-1\",\"duplicate\":true}"));
        sendText("{\"type\":\"publish\",\"topic\":\"t\",\"data\":{\"n\":1}}");
        assertThat(frames()).containsExactly(text("{\"type\":\"published\",\"id\":\"" + e
                + "-2\",\"duplicate\":false}"));
        assertThat(log.head()).isEqualTo(2);
        assertThat(log.read(List.of(Selector.of("t")), 0, 10).messages()).extracting(Message::event, Message::data)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("chat", "x"),
                        org.assertj.core.groups.Tuple.tuple("message", "{\"n\":1}"));
    }

    @Test
    void aRefusedPublishStoresNothingAndSaysWhy() {
        open();
        record Case(String command, String type, int status) {
        }
        for (Case c : List.of(
                new Case("{\"type\":\"publish\",\"ref\":\"r\",\"topic\":\"t\",\"data\":\"" + "x".repeat(MAX_DATA + 1)
                        + "\"}", "data-too-large", 413),
                new Case("{\"type\":\"publish\",\"ref\":\"r\",\"topic\":\"a/+\",\"data\":\"x\"}", "invalid-topic", 400),
                new Case("{\"type\":\"publish\",\"ref\":\"r\",\"topic\":\"t\",\"data\":\"x\",\"event\":\"herald.x\"}",
                        "reserved-event", 400),
                new Case("{\"type\":\"publish\",\"ref\":\"r\",\"topic\":\"t\",\"data\":\"x\",\"id\":\"k\"}",
                        "unknown-field", 400),
                new Case("{\"type\":\"publish\",\"ref\":\"r\",\"topic\":\"t\",\"data\":\"x\",\"key\":\"\"}",
                        "invalid-id", 400),
                new Case("{\"type\":\"publish\",\"ref\":\"r\",\"data\":\"x\"}", "missing-field", 400))) {
            sendText(c.command());
            assertThat(payload(frames().get(0))).as(c.type()).startsWith("{\"type\":\"error\",\"ref\":\"r\","
                    + "\"problem\":{\"type\":\"urn:herald:problem:" + c.type() + "\"").contains("\"status\":" + c.status());
        }
        assertThat(log.head()).isZero();
    }

    @Test
    void aPublishNeedsThePermissionHttpWouldNeed() {
        channel = connect(TestGateways.publicRead(List.of("#"), CHAT));
        String token = new TokenMinter().mint(CHAT, "alice", List.of("chat/#"), List.of("chat/#"),
                Duration.ofMinutes(5));
        assertThat(http(String.format(UPGRADE, "?access_token=" + token, ""))).startsWith("HTTP/1.1 101");
        sendText("{\"type\":\"publish\",\"ref\":\"no\",\"topic\":\"other/x\",\"data\":\"x\"}");
        assertThat(payload(frames().get(0))).isEqualTo("{\"type\":\"error\",\"ref\":\"no\",\"problem\":{\"type\":"
                + "\"urn:herald:problem:forbidden\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"These "
                + "credentials may not publish to 'other/x'.\"}}");
        sendText("{\"type\":\"subscribe\",\"id\":\"s\",\"topics\":[\"other/#\"]}");
        assertThat(payload(frames().get(0))).contains("\"sub\":\"s\"").contains("\"status\":403");
        sendText("{\"type\":\"publish\",\"ref\":\"yes\",\"topic\":\"chat/x\",\"data\":\"x\"}");
        assertThat(payload(frames().get(0))).startsWith("{\"type\":\"published\",\"ref\":\"yes\"");
    }

    @Test
    void aBinaryFrameIsClosedWith1003AfterTheClosingHandshake() {
        open();
        send(clientFrame(true, 0x2, new byte[] {1, 2, 3}));
        assertThat(frames()).containsExactly(close(1003, "binary frames are not accepted; send JSON text"));
        assertThat(channel.isOpen()).as("waits for the client's close").isTrue();
        send(clientFrame(true, 0x8, new byte[] {0x03, (byte) 0xeb}));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void textThatIsNotAJsonObjectIsClosedWith1007() {
        for (String bad : List.of("{\"type\":", "[1,2]", "42", "", "{\"type\":\"a\",\"type\":\"b\"}")) {
            open();
            sendText(bad);
            List<byte[]> frames = frames();
            assertThat(frames).as(bad).hasSize(1);
            assertThat(Arrays.copyOfRange(frames.get(0), 0, 4)).as(bad).startsWith(0x88).endsWith(0x03, 0xef);
            // A client that does not answer the close is cut off after a moment.
            channel.advanceTimeBy(WebSocketSession.CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
            assertThat(channel.isOpen()).isFalse();
            channel.finishAndReleaseAll();
        }
        open();
        sendText("{\"type\":");
        assertThat(frames()).containsExactly(close(1007, "malformed JSON at line 1, column 9"));
    }

    @Test
    void invalidUtf8IsClosedWith1007() {
        open();
        send(clientFrame(true, 0x1, new byte[] {'{', (byte) 0xc3, 0x28, '}'}));
        byte[] frame = frames().get(0);
        assertThat(Arrays.copyOfRange(frame, 0, 4)).containsExactly(0x88, frame.length - 2, 0x03, 0xef);
        sendText("{\"type\":\"subscribe\",\"id\":\"s1\",\"topics\":[\"t\"]}");
        assertThat(drain()).as("nothing after the close").isEmpty();
        send(clientFrame(true, 0x8, new byte[] {0x03, (byte) 0xef}));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anOversizedFrameOrMessageIsClosedWith1009() {
        int max = MAX_DATA + WebSocketEndpoint.ENVELOPE_BYTES;
        open();
        send(clientFrame(true, 0x1, "x".repeat(max + 1).getBytes(StandardCharsets.US_ASCII)));
        assertThat(frames()).containsExactly(close(1009, "Max frame length of " + max + " has been exceeded."));
        // The decoder drops everything after a frame it cannot read, the client's close too: the timeout ends it.
        send(clientFrame(true, 0x8, new byte[] {0x03, (byte) 0xf1}));
        assertThat(channel.isOpen()).isTrue();
        channel.advanceTimeBy(WebSocketSession.CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();

        open();
        byte[] half = "x".repeat(max / 2 + 1).getBytes(StandardCharsets.US_ASCII);
        send(clientFrame(false, 0x1, half));
        send(clientFrame(false, 0x0, half));
        assertThat(frames()).containsExactly(close(1009, "message over " + max + " bytes"));
        send(clientFrame(true, 0x0, half)); // the rest of the message is dropped
        assertThat(drain()).isEmpty();
        send(clientFrame(true, 0x8, new byte[] {0x03, (byte) 0xf1}));
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();

        // Within the bound, a fragmented message is one command.
        open();
        byte[] command = "{\"type\":\"subscribe\",\"id\":\"s1\",\"topics\":[\"t\"]}".getBytes(StandardCharsets.UTF_8);
        send(clientFrame(false, 0x1, Arrays.copyOf(command, 10)));
        send(clientFrame(true, 0x0, Arrays.copyOfRange(command, 10, command.length)));
        assertThat(payload(frames().get(0))).startsWith("{\"type\":\"subscribed\",\"id\":\"s1\"");
    }

    @Test
    void aClientCloseIsEchoed() {
        open();
        subscribe("s1", "[\"t\"]");
        drain();
        send(clientFrame(true, 0x8, new byte[] {0x03, (byte) 0xe8, 'b', 'y', 'e'}));
        assertThat(frames()).containsExactly(close(1000, "bye"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(hub.subscriptionCount()).isZero();
    }

    @Test
    void pingsAreAnsweredAndASilentClientIsClosedAfterTwoIntervals() {
        open();
        send(clientFrame(true, 0x9, "hi".getBytes(StandardCharsets.US_ASCII)));
        assertThat(frames()).containsExactly(serverFrame(0xA, "hi".getBytes(StandardCharsets.US_ASCII)));

        channel.advanceTimeBy(15, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(frames()).containsExactly(serverFrame(0x9, new byte[0]));
        send(clientFrame(true, 0xA, new byte[0])); // the pong
        channel.advanceTimeBy(15, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(frames()).containsExactly(serverFrame(0x9, new byte[0]));
        channel.advanceTimeBy(15, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(frames()).as("one silent interval is not yet too many").containsExactly(serverFrame(0x9, new byte[0]));
        assertThat(channel.isOpen()).isTrue();
        channel.advanceTimeBy(15, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(frames()).containsExactly(close(1001, "no answer to pings"));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anExpiringTokenEndsTheConnectionWithTokenExpiredThen1008() {
        channel = connect(TestGateways.publicRead(List.of(), CHAT));
        String token = new TokenMinter().mint(CHAT, "alice", List.of("chat/#"), List.of(), Duration.ofSeconds(30));
        assertThat(http(String.format(UPGRADE, "", "Authorization: Bearer " + token + "\r\n")))
                .startsWith("HTTP/1.1 101");
        subscribe("s1", "[\"chat/#\"]");
        drain();
        channel.advanceTimeBy(31, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        List<byte[]> frames = frames().stream().filter(f -> f[0] != (byte) 0x89).toList(); // pings aside
        assertThat(frames).containsExactly(text("{\"type\":\"token-expired\",\"detail\":\"The token of this "
                + "connection expired; renew it, reconnect and subscribe again with each subscription's last"
                + " cursor.\"}"), close(1008, "token expired"));
        assertThat(hub.subscriptionCount()).isZero();
        publish("chat/a", "after the close");
        assertThat(drain()).isEmpty();
    }
}
