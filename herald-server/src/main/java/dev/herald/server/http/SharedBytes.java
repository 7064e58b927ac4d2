package dev.herald.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Bytes written to many channels: one read-only buffer that a write cannot release, so that every channel is
 * sent a {@code duplicate()} of it and nobody owns it but the garbage collector.
 *
 * <p>The bytes are off the heap (a JDK direct buffer, freed with it by the garbage collector), so a socket
 * write takes them as they are: a heap buffer would be copied into a direct one on every write, once per
 * subscriber.
 */
public final class SharedBytes {
    private SharedBytes() {
    }

    public static ByteBuf of(CharSequence text) {
        return of(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static ByteBuf of(byte[] bytes) {
        return shared(ByteBuffer.allocateDirect(bytes.length).put(bytes));
    }

    private static ByteBuf shared(ByteBuffer filled) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(filled.flip().asReadOnlyBuffer()));
    }
}
