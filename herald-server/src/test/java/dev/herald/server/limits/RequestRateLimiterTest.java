package dev.herald.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.LeakDetection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The per-address request rate when the buckets answer later (a cluster's, in Redis): pipelined requests wait,
 * in order, the connection stops reading meanwhile, and nothing leaks when it closes with requests waiting.
 */
@ExtendWith(LeakDetection.class)
class RequestRateLimiterTest {
    /** Buckets whose answers the test gives, one at a time, in the order they were asked. */
    private static final class LaterLimits implements RateLimits {
        final Queue<CompletableFuture<Optional<Duration>>> asked = new ArrayDeque<>();
        final List<String> keys = new ArrayList<>();

        @Override
        public CompletionStage<Optional<Duration>> acquire(String key, int cost, double rate, double burst) {
            keys.add(key);
            CompletableFuture<Optional<Duration>> answer = new CompletableFuture<>();
            asked.add(answer);
            return answer;
        }
    }

    private final LaterLimits limits = new LaterLimits();
    private final List<String> reached = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel() {
        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("203.0.113.7", 40000);
        }
    };

    RequestRateLimiterTest() {
        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16),
                new RequestRateLimiter(10, limits), new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                        reached.add(request.uri());
                    }
                });
    }

    private static ByteBuf requests(String... paths) {
        StringBuilder b = new StringBuilder();
        for (String p : paths) {
            b.append("GET ").append(p).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
        }
        return Unpooled.copiedBuffer(b, StandardCharsets.US_ASCII);
    }

    /** Everything written so far (a response's head and body are written apart). */
    private static String written(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            text.append(out.toString(StandardCharsets.UTF_8));
            out.release();
        }
        return text.toString();
    }

    @Test
    void pipelinedRequestsWaitInOrderWhileTheConnectionStopsReading() {
        channel.writeInbound(requests("/1", "/2", "/3"));
        assertThat(limits.keys).containsExactly("ip:203.0.113.7"); // one question at a time
        assertThat(reached).isEmpty();
        assertThat(channel.config().isAutoRead()).isFalse();

        limits.asked.poll().complete(Optional.empty());
        channel.runPendingTasks();
        assertThat(reached).containsExactly("/1");
        assertThat(limits.asked).hasSize(1); // /2 asked next; /3 still waits behind it

        limits.asked.poll().complete(Optional.of(Duration.ofMillis(1500)));
        channel.runPendingTasks();
        String refused = written(channel);
        assertThat(refused).startsWith("HTTP/1.1 429 ").contains("retry-after: 2").contains("request-rate");
        assertThat(reached).containsExactly("/1");

        limits.asked.poll().complete(Optional.empty());
        channel.runPendingTasks();
        assertThat(reached).containsExactly("/1", "/3");
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aConnectionClosedWhileRequestsWaitReleasesThem() {
        channel.writeInbound(requests("/1", "/2"));
        channel.close();
        limits.asked.poll().complete(Optional.empty());
        channel.runPendingTasks();
        assertThat(reached).isEmpty();
        assertThat(limits.asked).isEmpty();
        channel.finishAndReleaseAll();
    }

    @Test
    void bucketsThatAnswerAtOnceLetRequestsThroughAtOnce() {
        RateLimiter<String> buckets = new RateLimiter<>();
        EmbeddedChannel local = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("203.0.113.8", 40000);
            }
        };
        List<String> got = new ArrayList<>();
        local.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16),
                new RequestRateLimiter(1, new LocalRateLimits(buckets)),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                        got.add(request.uri());
                    }
                });
        local.writeInbound(requests("/a", "/b", "/c")); // a burst of 2 at 1 a second: the third is refused
        assertThat(got).containsExactly("/a", "/b");
        assertThat(written(local)).startsWith("HTTP/1.1 429 ").contains("request-rate");
        assertThat(local.config().isAutoRead()).isTrue();
        local.finishAndReleaseAll();
    }
}
