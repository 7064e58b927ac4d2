package dev.herald.server;

import dev.herald.server.http.BodyLimit;
import dev.herald.server.http.Router;
import dev.herald.server.ops.ByteCounter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

/** The pipeline of every connection, in the order a request passes through it. */
final class HttpInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_INITIAL_LINE = 8192;
    static final int MAX_HEADER_BYTES = 16384;

    private final ByteCounter bytes;
    private final int maxBodyBytes;
    private final Router router;

    HttpInitializer(ByteCounter bytes, int maxBodyBytes, Router router) {
        this.bytes = bytes;
        this.maxBodyBytes = maxBodyBytes;
        this.router = router;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("bytes", bytes)
                .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192))
                .addLast("body", new BodyLimit(maxBodyBytes))
                .addLast("router", router);
    }
}
