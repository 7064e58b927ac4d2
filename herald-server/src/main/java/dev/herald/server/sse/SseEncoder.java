package dev.herald.server.sse;

import dev.herald.core.Cursor;
import dev.herald.core.Message;
import dev.herald.server.http.SharedBytes;
import dev.herald.server.http.SharedChunk;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

/**
 * Writes messages as {@code text/event-stream} events: {@code id:} (the message's cursor), {@code event:}
 * (left out for the default {@code message}) and one {@code data:} line per line of the data, split on CR, LF
 * and CRLF, so that no content can start a field or an event of its own.
 *
 * <p>A message's frame is computed once and shared by every stream. It is an HTTP/1.1 chunk already (size line,
 * event, CRLF), so that a stream writes it below the HTTP codec, straight to the socket: no chunk header to
 * allocate and encode per subscriber.
 */
public final class SseEncoder {
    /** A comment that keeps proxies from closing an idle stream. */
    public static final ByteBuf HEARTBEAT = SharedBytes.of(":\n\n");

    private final String epoch;
    private final Function<Message, SharedChunk> frames = this::encode;

    public SseEncoder(String epoch) {
        this.epoch = epoch;
    }

    /** The shared frame of {@code message}, as one HTTP/1.1 chunk. */
    public SharedChunk frame(Message message) {
        return message.encoded(frames);
    }

    private SharedChunk encode(Message message) {
        StringBuilder b = new StringBuilder(message.data().length() + 64);
        b.append("id: ").append(epoch).append('-').append(message.offset()).append('\n');
        if (!message.event().equals(Message.DEFAULT_EVENT)) {
            b.append("event: ").append(message.event()).append('\n');
        }
        data(b, message.data());
        b.append('\n');
        return SharedChunk.of(b);
    }

    /** The opening of every stream: a reconnect delay for EventSource, and a comment to get past buffers. */
    public static ByteBuf preamble(Duration retry) {
        return Unpooled.copiedBuffer("retry: " + retry.toMillis() + "\n: herald stream\n\n", StandardCharsets.UTF_8);
    }

    /**
     * Sets the client's last event id without dispatching an event (an {@code id:} field with no data), so that
     * a client that reconnects before any message resumes from where its stream began.
     */
    public static ByteBuf position(Cursor cursor) {
        return Unpooled.copiedBuffer("id: " + cursor.token() + "\n\n", StandardCharsets.UTF_8);
    }

    /** One of Herald's own events ({@code herald.*}), without id: it does not move the client's position. */
    public static ByteBuf control(String event, String json) {
        StringBuilder b = new StringBuilder(json.length() + 32);
        b.append("event: ").append(event).append('\n');
        data(b, json);
        b.append('\n');
        return Unpooled.copiedBuffer(b, StandardCharsets.UTF_8);
    }

    /** Asks EventSource to reconnect after {@code retry}: sent before the server closes a stream on shutdown. */
    public static ByteBuf retry(Duration retry) {
        return Unpooled.copiedBuffer("retry: " + retry.toMillis() + "\n\n", StandardCharsets.UTF_8);
    }

    private static void data(StringBuilder b, String data) {
        int start = 0;
        int n = data.length();
        for (int i = 0; i < n; i++) {
            char c = data.charAt(i);
            if (c == '\r' || c == '\n') {
                b.append("data: ").append(data, start, i).append('\n');
                if (c == '\r' && i + 1 < n && data.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        b.append("data: ").append(data, start, n).append('\n');
    }
}
