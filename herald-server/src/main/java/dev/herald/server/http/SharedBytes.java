package dev.herald.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Bytes written to many channels: one read-only buffer that a write cannot release, so that every channel is
 * sent a {@code duplicate()} of it and nobody owns it but the garbage collector.
 */
public final class SharedBytes {
    private SharedBytes() {
    }

    public static ByteBuf of(CharSequence text) {
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes).asReadOnly());
    }
}
