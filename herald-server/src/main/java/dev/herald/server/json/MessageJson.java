package dev.herald.server.json;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.herald.core.Message;
import dev.herald.server.http.SharedBytes;
import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.function.Function;

/**
 * A message as JSON, the same on long polling and WebSocket:
 * {@code {"id":"<cursor>","topic":"chat/room-1","event":"message","data":"hello","time":"2026-12-01T09:00:00Z"}}.
 * The {@code id} is the cursor, with the same meaning as an SSE event's id.
 *
 * <p>Like SSE frames, a message's JSON is computed once and shared: callers write a {@code duplicate()} of the
 * unreleasable buffer, alone or inside a composite.
 */
public final class MessageJson {
    private final String epoch;
    private final Function<Message, ByteBuf> encoding = this::encode;

    public MessageJson(String epoch) {
        this.epoch = epoch;
    }

    /** The shared JSON object of {@code message}; write a {@code duplicate()} of it. */
    public ByteBuf of(Message message) {
        return message.encoded(encoding);
    }

    private ByteBuf encode(Message m) {
        StringBuilder b = new StringBuilder(m.data().length() + m.topic().name().length() + 96);
        b.append("{\"id\":\"").append(epoch).append('-').append(m.offset()).append("\",\"topic\":");
        quote(b, m.topic().name());
        b.append(",\"event\":");
        quote(b, m.event());
        b.append(",\"data\":");
        quote(b, m.data());
        b.append(",\"time\":\"").append(Instant.ofEpochMilli(m.time())).append("\"}");
        return SharedBytes.of(b);
    }

    /** Appends {@code s} as a JSON string literal. */
    public static void quote(StringBuilder b, String s) {
        b.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, b);
        b.append('"');
    }
}
