package dev.herald.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Bytes written to many channels: one read-only buffer that a write cannot release, so that every channel is
 * sent a {@code duplicate()} of it and nobody owns it but the garbage collector.
 *
 * <p>{@link #of} keeps them on the heap: cheap to make, and copied into a direct buffer by each socket write.
 * {@link #direct} puts them off the heap (a JDK direct buffer, freed with it by the garbage collector), which a
 * socket write takes as it is, but which costs microseconds to allocate: for bytes written alone to many
 * subscribers, where one allocation saves a copy per subscriber.
 */
public final class SharedBytes {
    private SharedBytes() {
    }

    public static ByteBuf of(CharSequence text) {
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes).asReadOnly());
    }

    public static ByteBuf direct(byte[] bytes) {
        ByteBuffer filled = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(filled.asReadOnlyBuffer()));
    }
}
