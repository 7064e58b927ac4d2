package dev.herald.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Draft;
import dev.herald.core.Hub;
import dev.herald.core.MemoryLog;
import dev.herald.core.Message;
import dev.herald.core.Topic;
import dev.herald.server.LeakDetection;
import dev.herald.server.http.BodyLimit;
import dev.herald.server.http.Cors;
import dev.herald.server.http.RequestHandlers;
import dev.herald.server.http.Router;
import dev.herald.server.ops.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The exact bytes of an event stream, through the real pipeline, on an {@link EmbeddedChannel}. */
@ExtendWith(LeakDetection.class)
class SseWireTest {
    private final MemoryLog log = new MemoryLog();
    private final Hub hub = new Hub(log, Runnable::run);
    private final Metrics metrics = new Metrics();
    private final SseEncoder encoder = new SseEncoder(log.epoch());
    private final Router router = Router.builder().route(HttpMethod.GET, "/api/v1/stream",
            new SseEndpoint(hub, Gateways.open(), encoder, new Heartbeats(Duration.ofSeconds(15)), metrics,
                    new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE), Duration.ofSeconds(2), 64,
                    1000, List.of())).build((ctx, req, uri) -> { });
    private EmbeddedChannel channel = connect();

    private EmbeddedChannel connect() {
        return new EmbeddedChannel(new HttpServerCodec(), new BodyLimit(1 << 20), router);
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        metrics.close();
    }

    private String request(String head) {
        channel.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        return drain();
    }

    private String drain() {
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1)); // one char per byte: chunk sizes count bytes
            buf.release();
        }
        return out.toString();
    }

    /** Strips HTTP/1.1 chunk framing and decodes the UTF-8 body: what EventSource sees. */
    private static String unchunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int eol = chunked.indexOf("\r\n", i);
            int size = Integer.parseInt(chunked.substring(i, eol), 16);
            body.append(chunked, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return new String(body.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private void publish(String topic, String event, String data) {
        hub.publish(List.of(new Draft(Topic.of(topic), event, data, ""))).join();
    }

    @Test
    void streamOpensWithHeadersRetryCommentAndPosition() {
        String out = request("GET /api/v1/stream?topic=t HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
        String head = out.substring(0, out.indexOf("\r\n\r\n") + 4);
        assertThat(head).startsWith("HTTP/1.1 200 OK\r\n")
                .contains("content-type: text/event-stream; charset=utf-8\r\n")
                .contains("cache-control: no-cache\r\n")
                .contains("x-accel-buffering: no\r\n")
                .contains("transfer-encoding: chunked\r\n");
        assertThat(unchunk(out.substring(head.length())))
                .isEqualTo("retry: 2000\n: herald stream\n\nid: " + log.epoch() + "-0\n\n");
    }

    @Test
    void eachMessageIsIdEventAndOneDataLinePerLine() {
        request("GET /api/v1/stream?topic=t HTTP/1.1\r\nHost: x\r\n\r\n");
        publish("t", Message.DEFAULT_EVENT, "hello");
        publish("t", "alarm", "a\nb\r\nc\rd");
        publish("t", "x", "");
        publish("t", Message.DEFAULT_EVENT, "trailing\n");
        String e = log.epoch();
        assertThat(unchunk(drain())).isEqualTo(
                "id: " + e + "-1\ndata: hello\n\n"
                + "id: " + e + "-2\nevent: alarm\ndata: a\ndata: b\ndata: c\ndata: d\n\n"
                + "id: " + e + "-3\nevent: x\ndata: \n\n"
                + "id: " + e + "-4\ndata: trailing\ndata: \n\n");
    }

    @Test
    void aStreamKeepsNoneOfTheHandlersOnlyRequestsNeed() {
        channel.finishAndReleaseAll();
        channel = new EmbeddedChannel();
        channel.pipeline().addLast(new HttpServerCodec())
                .addLast(RequestHandlers.CORS, Cors.handler(List.of("http://x")))
                .addLast(RequestHandlers.BODY, new BodyLimit(1 << 20)).addLast(router);
        String out = request("GET /api/v1/stream?topic=t HTTP/1.1\r\nHost: x\r\nOrigin: http://x\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").contains("access-control-allow-origin: http://x");
        assertThat(channel.pipeline().get(RequestHandlers.CORS)).isNull();
        assertThat(channel.pipeline().get(RequestHandlers.BODY)).isNull();
        publish("t", Message.DEFAULT_EVENT, "still streaming");
        assertThat(unchunk(drain())).contains("data: still streaming\n\n");
    }

    @Test
    void aBatchIsWrittenAsOneChunk() {
        request("GET /api/v1/stream?topic=t HTTP/1.1\r\nHost: x\r\n\r\n");
        hub.publish(List.of(Draft.of(Topic.of("t"), "\u00e9"), Draft.of(Topic.of("t"), "b\nc"),
                Draft.of(Topic.of("t"), "d"))).join();
        String e = log.epoch();
        String events = "id: " + e + "-1\ndata: \u00e9\n\n" + "id: " + e + "-2\ndata: b\ndata: c\n\n"
                + "id: " + e + "-3\ndata: d\n\n";
        int bytes = events.getBytes(StandardCharsets.UTF_8).length;
        String wire = new String(events.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(drain()).isEqualTo(Integer.toHexString(bytes) + "\r\n" + wire + "\r\n");
    }

    @Test
    void dataCannotInjectAFieldOrAnEvent() {
        request("GET /api/v1/stream?topic=t HTTP/1.1\r\nHost: x\r\n\r\n");
        publish("t", Message.DEFAULT_EVENT, "x\n\nid: forged\nevent: evil\r\rdata: y");
        String body = unchunk(drain());
        // Every line of the event is a data line: nothing started a field of its own.
        String event = body.substring(body.indexOf("id: " + log.epoch()));
        assertThat(event.split("\n", -1)).containsExactly("id: " + log.epoch() + "-1", "data: x", "data: ",
                "data: id: forged", "data: event: evil", "data: ", "data: data: y", "", "");
    }

    @Test
    void utf8IsWrittenAsUtf8() {
        request("GET /api/v1/stream?topic=t HTTP/1.1\r\nHost: x\r\n\r\n");
        publish("t", Message.DEFAULT_EVENT, "\u00e9\u4e2d\uD83D\uDE00");
        assertThat(unchunk(drain())).contains("data: \u00e9\u4e2d\uD83D\uDE00\n\n");
    }

    @Test
    void resumesAfterLastEventIdAndSaysWhenHistoryIsGone() {
        publish("t", Message.DEFAULT_EVENT, "one");
        publish("t", Message.DEFAULT_EVENT, "two");
        String e = log.epoch();
        String out = unchunk(request("GET /api/v1/stream?topic=t HTTP/1.1\r\nHost: x\r\nLast-Event-ID: " + e
                + "-1\r\n\r\n").split("\r\n\r\n", 2)[1]);
        assertThat(out).endsWith("id: " + e + "-1\n\nid: " + e + "-2\ndata: two\n\n");

        channel.finishAndReleaseAll();
        channel = connect();
        String foreign = unchunk(request("GET /api/v1/stream?topic=t&lastEventId=zzz-1 HTTP/1.1\r\nHost: x\r\n\r\n")
                .split("\r\n\r\n", 2)[1]);
        assertThat(foreign).contains("event: herald.truncated\ndata: {\"cursor\":\"zzz-1\",")
                .endsWith("data: one\n\nid: " + e + "-2\ndata: two\n\n");
    }

    @Test
    void theSharedFrameIsEncodedOnce() {
        Message m = new Message(7, Topic.of("t"), "e", "d", 0, "");
        assertThat(encoder.frame(m)).isSameAs(encoder.frame(m));
        String event = "id: " + log.epoch() + "-7\nevent: e\ndata: d\n\n";
        assertThat(encoder.frame(m).alone()).isSameAs(encoder.frame(m).alone());
        assertThat(encoder.frame(m).alone().toString(StandardCharsets.UTF_8))
                .isEqualTo(Integer.toHexString(event.length()) + "\r\n" + event + "\r\n");
    }

    @Test
    void aBadCursorIsRefusedWithAProblem() {
        String out = request("GET /api/v1/stream?topic=t HTTP/1.1\r\nHost: x\r\nLast-Event-ID: nonsense\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 400 Bad Request\r\n")
                .contains("content-type: application/problem+json")
                .contains("\"type\":\"urn:herald:problem:malformed-cursor\"")
                .contains("is not a Herald cursor");
    }
}
