package dev.herald.server.limits;

import dev.herald.server.http.Responses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every connection: refuses a client address that holds too many connections at once or
 * opens them too fast. The refusal is a complete HTTP 429 written straight to the socket, then the close.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);
    private static final AttributeKey<InetAddress> COUNTED = AttributeKey.valueOf("herald.counted");

    private final int maxPerAddress;
    private final int newPerSecond;
    // Changed only through compute, so that a close racing with an open never loses a count.
    private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();
    private final RateLimiter<InetAddress> rate;

    public ConnectionLimiter(int maxPerAddress, int newPerSecond, RateLimiter<InetAddress> rate) {
        this.maxPerAddress = maxPerAddress;
        this.newPerSecond = newPerSecond;
        this.rate = rate;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!(ctx.channel().remoteAddress() instanceof InetSocketAddress remote)) {
            ctx.fireChannelActive();
            return;
        }
        InetAddress address = remote.getAddress();
        Optional<Duration> wait = rate.acquire(address, 1, newPerSecond, 2.0 * newPerSecond);
        if (wait.isPresent()) {
            refuse(ctx, "connection-rate", "This address opens connections faster than the limit of "
                    + newPerSecond + " per second (limits.newConnectionsPerSecondPerIp); reuse connections.", wait.get());
            return;
        }
        boolean[] admitted = new boolean[1];
        open.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            admitted[0] = count < maxPerAddress;
            return admitted[0] ? count + 1 : n;
        });
        if (!admitted[0]) {
            refuse(ctx, "too-many-connections", "This address holds " + maxPerAddress
                    + " connections, the limit (limits.connectionsPerIp); close some first.", Duration.ofSeconds(1));
            return;
        }
        ctx.channel().attr(COUNTED).set(address);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        InetAddress address = ctx.channel().attr(COUNTED).getAndSet(null);
        if (address != null) {
            open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
        ctx.fireChannelInactive();
    }

    /** Connections currently counted for {@code address}. */
    public int open(InetAddress address) {
        return open.getOrDefault(address, 0);
    }

    private static void refuse(ChannelHandlerContext ctx, String type, String detail, Duration retryAfter) {
        log.debug("{} refused: {}", ctx.channel(), type);
        String body = TooMany.problem(type, detail, retryAfter).toJson();
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        ByteBuf response = Unpooled.copiedBuffer("HTTP/1.1 429 Too Many Requests\r\n"
                + "content-type: " + Responses.PROBLEM_JSON + "\r\n"
                + "retry-after: " + seconds + "\r\n"
                + "connection: close\r\n"
                + "content-length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body,
                StandardCharsets.UTF_8);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
