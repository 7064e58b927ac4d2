package dev.herald.server.ws;

import dev.herald.server.json.Signals;
import static dev.herald.server.json.MessageJson.quote;

import dev.herald.core.Cursor;
import dev.herald.server.http.Problem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;

/** The JSON text frames the server sends, other than messages (see {@link WebSocketSubscriber}). */
final class ServerFrames {
    /** Ends every message frame, after the message's shared JSON. */
    static final ByteBuf MESSAGE_END = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(new byte[] {'}'}).asReadOnly());

    /** The same sentence as SSE's {@code herald.truncated}: the signal means the same on every transport. */
    static final String TRUNCATED_DETAIL = Signals.TRUNCATED_DETAIL;

    private ServerFrames() {
    }

    /** What precedes a message's JSON in every message frame of subscription {@code sub}; share a duplicate. */
    static ByteBuf messagePrefix(String sub) {
        StringBuilder b = new StringBuilder(48 + sub.length());
        b.append("{\"type\":\"message\",\"sub\":");
        quote(b, sub);
        b.append(",\"message\":");
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
                b.toString().getBytes(StandardCharsets.UTF_8)).asReadOnly());
    }

    static TextWebSocketFrame subscribed(String id, Cursor start) {
        StringBuilder b = new StringBuilder(64);
        b.append("{\"type\":\"subscribed\",\"id\":");
        quote(b, id);
        b.append(",\"cursor\":\"").append(start.token()).append("\"}");
        return frame(b);
    }

    static TextWebSocketFrame unsubscribed(String id) {
        StringBuilder b = new StringBuilder(48);
        b.append("{\"type\":\"unsubscribed\",\"id\":");
        quote(b, id);
        return frame(b.append('}'));
    }

    static TextWebSocketFrame truncated(String sub, Cursor requested) {
        StringBuilder b = new StringBuilder(200);
        b.append("{\"type\":\"truncated\",\"sub\":");
        quote(b, sub);
        b.append(",\"cursor\":\"").append(requested.token()).append("\",\"detail\":");
        quote(b, TRUNCATED_DETAIL);
        return frame(b.append('}'));
    }

    /** @param ref the publish's ref, or "" when it gave none */
    static TextWebSocketFrame published(String ref, Cursor id, boolean duplicate) {
        StringBuilder b = new StringBuilder(80);
        b.append("{\"type\":\"published\",");
        if (!ref.isEmpty()) {
            b.append("\"ref\":");
            quote(b, ref);
            b.append(',');
        }
        b.append("\"id\":\"").append(id.token()).append("\",\"duplicate\":").append(duplicate).append('}');
        return frame(b);
    }

    /** An error answering the command that {@code about} names. */
    static TextWebSocketFrame error(Refusal.About about, Problem problem) {
        String json = problem.toJson();
        StringBuilder b = new StringBuilder(json.length() + 64);
        b.append("{\"type\":\"error\",");
        if (about.name().isPresent()) {
            b.append('"').append(about.field()).append("\":");
            quote(b, about.name().get());
            b.append(',');
        }
        b.append("\"problem\":").append(json);
        problem.retryAfter().ifPresent(d -> b.append(",\"retryAfter\":").append(Math.max(1, (d.toMillis() + 999) / 1000)));
        return frame(b.append('}'));
    }

    static TextWebSocketFrame tokenExpired() {
        StringBuilder b = new StringBuilder(160);
        b.append("{\"type\":\"token-expired\",\"detail\":");
        quote(b, "The token of this connection expired; renew it, reconnect and subscribe again with each"
                + " subscription's last cursor.");
        return frame(b.append('}'));
    }

    private static TextWebSocketFrame frame(CharSequence json) {
        return new TextWebSocketFrame(Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
    }
}
