package dev.herald.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code herald bench grip-origin}: the origin Pushpin proxies subscribers to. Each {@code GET /sub/<topic>} (or
 * {@code ?topic=<topic>}) is answered at once with {@code Grip-Hold: stream} and {@code Grip-Channel: <topic>}, so
 * Pushpin holds the client's connection open as an event stream on that channel, with an SSE comment as keep-alive
 * every 15 s, as Herald's heartbeat. Publishes then go to Pushpin's HTTP control API, never here.
 */
@Command(name = "grip-origin", mixinStandardHelpOptions = true,
        description = "Serves the GRIP origin for Pushpin: every GET holds a stream on the topic it names.")
final class GripOrigin implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "5580", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-seconds", defaultValue = "7200", description = "Stops by itself after this (default: ${DEFAULT-VALUE}).")
    long maxSeconds;

    @Override
    public Integer call() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = start(group, new InetSocketAddress(host, port));
            System.out.println("grip-origin listening on " + server.localAddress());
            System.out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await(maxSeconds, TimeUnit.SECONDS);
            server.close().syncUninterruptibly();
            return 0;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Starts the origin on {@code group}; returns the bound channel. */
    static Channel start(EventLoopGroup group, InetSocketAddress address) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new HttpObjectAggregator(64 * 1024));
                        ch.pipeline().addLast(new Hold());
                    }
                })
                .bind(address)
                .sync()
                .channel();
    }

    /** The topic a request names: {@code ?topic=}, else the last path segment. */
    static String topic(String uri) {
        QueryStringDecoder q = new QueryStringDecoder(uri);
        List<String> topic = q.parameters().get("topic");
        if (topic != null && !topic.isEmpty()) {
            return topic.get(0);
        }
        String path = q.path();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Answers each request with the hold instruction. */
    private static final class Hold extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String topic = topic(request.uri());
            FullHttpResponse response;
            if (topic.isEmpty() || !topic.matches("[A-Za-z0-9._-]+")) {
                ByteBuf body = Unpooled.copiedBuffer("name a topic: /sub/<topic> or ?topic=<topic>\n",
                        StandardCharsets.UTF_8);
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, body);
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            } else {
                ByteBuf body = Unpooled.copiedBuffer(": pushpin stream\n\n", StandardCharsets.UTF_8);
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
                response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
                response.headers().set("Grip-Hold", "stream");
                response.headers().set("Grip-Channel", topic);
                response.headers().set("Grip-Keep-Alive", ":\\n\\n; format=cstring; timeout=15");
            }
            HttpUtil.setContentLength(response, response.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            var written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
