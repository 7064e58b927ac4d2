package dev.herald.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Bytes that many chunked responses carry, framed as one HTTP/1.1 chunk (size in hex, CRLF, bytes, CRLF), so
 * that they are written below the HTTP codec as they are. Written alone, they go from one shared direct buffer,
 * made on first use, of which each channel is sent a duplicate; written with others ({@link #join}), their
 * bytes are copied into one chunk for all of them, which costs the socket write, and the client, far less than
 * a chunk per message.
 */
public final class SharedChunk {
    private static final int MAX_SIZE_LINE = 8 + 2; // an int in hex, CRLF

    private final byte[] bytes; // framing included
    private final int start; // of the content, after the size line
    // Racing writers make equal buffers; a lost one only costs the work.
    private volatile ByteBuf alone;

    private SharedChunk(byte[] bytes, int start) {
        this.bytes = bytes;
        this.start = start;
    }

    public static SharedChunk of(CharSequence text) {
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] size = (Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] framed = new byte[size.length + body.length + 2];
        System.arraycopy(size, 0, framed, 0, size.length);
        System.arraycopy(body, 0, framed, size.length, body.length);
        framed[framed.length - 2] = '\r';
        framed[framed.length - 1] = '\n';
        return new SharedChunk(framed, size.length);
    }

    /** The content of {@code chunks}, in order, as one chunk in a buffer of {@code alloc}'s, for one write. */
    public static ByteBuf join(ByteBufAllocator alloc, List<SharedChunk> chunks) {
        int content = 0;
        for (SharedChunk c : chunks) {
            content += c.contentLength();
        }
        ByteBuf out = alloc.directBuffer(MAX_SIZE_LINE + content + 2);
        out.writeCharSequence(Integer.toHexString(content), StandardCharsets.US_ASCII);
        out.writeByte('\r').writeByte('\n');
        for (SharedChunk c : chunks) {
            out.writeBytes(c.bytes, c.start, c.contentLength());
        }
        return out.writeByte('\r').writeByte('\n');
    }

    private int contentLength() {
        return bytes.length - start - 2;
    }

    /** The shared buffer for a write of this chunk alone; write a {@code duplicate()} of it. */
    public ByteBuf alone() {
        ByteBuf b = alone;
        if (b == null) {
            b = SharedBytes.direct(bytes);
            alone = b;
        }
        return b;
    }
}
