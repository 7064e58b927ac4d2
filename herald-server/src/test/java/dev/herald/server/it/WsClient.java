package dev.herald.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client over a real socket, on the JDK's {@link WebSocket}: collects the server's JSON frames, counts
 * its pings (the JDK answers them with pongs) and records how it closed.
 */
final class WsClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the server closed the connection. */
    record Closed(int code, String reason) {
    }

    final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    final AtomicInteger pings = new AtomicInteger();
    final CompletableFuture<Closed> closed = new CompletableFuture<>();
    final WebSocket socket;

    private WsClient(HttpClient http, URI uri, Map<String, String> headers) throws Exception {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        this.socket = builder.buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
    }

    static WsClient connect(Http http, String query, Map<String, String> headers) throws Exception {
        return new WsClient(http.client, uri(http, query), headers);
    }

    static WsClient connect(Http http, String query) throws Exception {
        return connect(http, query, Map.of());
    }

    static URI uri(Http http, String query) {
        return URI.create(http.base.replace("http://", "ws://") + "/api/v1/ws" + (query.isEmpty() ? "" : "?" + query));
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(text.toString()));
                } catch (Exception e) {
                    closed.completeExceptionally(e);
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.incrementAndGet();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }

    void send(String json) throws Exception {
        socket.sendText(json, true).get(5, TimeUnit.SECONDS);
    }

    void subscribe(String id, String topics, String cursor) throws Exception {
        send("{\"type\":\"subscribe\",\"id\":\"" + id + "\",\"topics\":" + topics
                + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"") + "}");
    }

    JsonNode next() throws InterruptedException {
        JsonNode frame = frames.poll(15, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError("no frame within 15 s");
        }
        return frame;
    }

    /** The next frame, which must be of {@code type}. */
    JsonNode next(String type) throws InterruptedException {
        JsonNode frame = next();
        if (!frame.path("type").asText().equals(type)) {
            throw new AssertionError("expected a " + type + " frame, got " + frame);
        }
        return frame;
    }

    List<JsonNode> messages(int n) throws InterruptedException {
        List<JsonNode> got = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            got.add(next("message"));
        }
        return got;
    }

    Closed awaitClose() throws Exception {
        return closed.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        socket.abort();
    }
}
