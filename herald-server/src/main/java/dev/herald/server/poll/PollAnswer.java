package dev.herald.server.poll;

import dev.herald.server.json.Signals;
import static java.util.Objects.requireNonNull;

import dev.herald.core.Cursor;
import dev.herald.core.Message;
import dev.herald.server.json.MessageJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The body of a poll's answer:
 * {@code {"messages":[<message JSON>,...],"cursor":"<cursor>"}}, with
 * {@code "truncated":{"cursor":"<requested>","detail":"..."}} after the cursor when history no longer reached
 * back to the requested cursor.
 *
 * @param messages in offset order
 * @param cursor where the next poll goes on: the last message's id, or where this poll got to without one
 * @param truncated the cursor that history no longer reached back to, if it did not
 */
record PollAnswer(List<Message> messages, Cursor cursor, Optional<Cursor> truncated) {
    static final String TRUNCATED_DETAIL = Signals.TRUNCATED_DETAIL;

    private static final ByteBuf OPEN = constant("{\"messages\":[");
    private static final ByteBuf COMMA = constant(",");

    PollAnswer {
        messages = List.copyOf(messages);
        requireNonNull(cursor, "cursor");
        requireNonNull(truncated, "truncated");
    }

    /**
     * The body as one composite: duplicates of the constant pieces and of each message's shared JSON, which
     * nothing here copies or re-encodes, and one small buffer for the tail. The caller owns the result; releasing
     * it releases only the tail, the shared pieces being unreleasable.
     */
    ByteBuf encode(ByteBufAllocator alloc, MessageJson json) {
        StringBuilder tail = new StringBuilder(160).append("],\"cursor\":");
        MessageJson.quote(tail, cursor.token());
        truncated.ifPresent(requested -> {
            tail.append(",\"truncated\":{\"cursor\":");
            MessageJson.quote(tail, requested.token());
            tail.append(",\"detail\":");
            MessageJson.quote(tail, TRUNCATED_DETAIL);
            tail.append('}');
        });
        tail.append('}');

        // Enough room for every component, or the composite would consolidate them: a copy of every message.
        CompositeByteBuf body = alloc.compositeBuffer(2 * messages.size() + 2);
        try {
            body.addComponent(true, OPEN.duplicate());
            for (int i = 0; i < messages.size(); i++) {
                if (i > 0) {
                    body.addComponent(true, COMMA.duplicate());
                }
                body.addComponent(true, json.of(messages.get(i)).duplicate());
            }
            body.addComponent(true, ByteBufUtil.writeUtf8(alloc, tail));
            return body;
        } catch (RuntimeException e) {
            body.release();
            throw e;
        }
    }

    private static ByteBuf constant(String s) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8)).asReadOnly());
    }
}
