package dev.herald.server;

import dev.herald.server.http.BodyLimit;
import dev.herald.server.http.Cors;
import dev.herald.server.http.RequestHandlers;
import dev.herald.server.http.Router;
import dev.herald.server.limits.ConnectionLimiter;
import dev.herald.server.limits.HeaderDeadline;
import dev.herald.server.limits.RateLimits;
import dev.herald.server.limits.RequestRateLimiter;
import dev.herald.server.ops.ByteCounter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.time.Duration;
import java.util.List;

/** The pipeline of every connection, in the order a request passes through it. */
final class HttpInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_INITIAL_LINE = 8192;
    static final int MAX_HEADER_BYTES = 16384;

    private final ConnectionLimiter connections;
    private final ByteCounter bytes;
    private final Duration headerTimeout;
    private final List<String> origins;
    private final int maxBodyBytes;
    private final int requestsPerSecond;
    private final RateLimits requestRates;
    private final Router router;

    HttpInitializer(ConnectionLimiter connections, ByteCounter bytes, Duration headerTimeout, List<String> origins,
            int maxBodyBytes, int requestsPerSecond, RateLimits requestRates, Router router) {
        this.connections = connections;
        this.bytes = bytes;
        this.headerTimeout = headerTimeout;
        this.origins = List.copyOf(origins);
        this.maxBodyBytes = maxBodyBytes;
        this.requestsPerSecond = requestsPerSecond;
        this.requestRates = requestRates;
        this.router = router;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("connections", connections)
                .addLast("bytes", bytes)
                .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192))
                .addLast(RequestHandlers.DEADLINE, new HeaderDeadline(headerTimeout))
                .addLast(RequestHandlers.CORS, Cors.handler(origins))
                .addLast(RequestHandlers.BODY, new BodyLimit(maxBodyBytes))
                .addLast(RequestHandlers.RATE, new RequestRateLimiter(requestsPerSecond, requestRates))
                .addLast("router", router);
    }
}
