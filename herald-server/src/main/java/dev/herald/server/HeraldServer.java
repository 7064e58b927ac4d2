package dev.herald.server;

import dev.herald.core.Hub;
import dev.herald.core.Log;
import dev.herald.core.MemoryLog;
import dev.herald.redis.RedisLimits;
import dev.herald.redis.RedisLog;
import dev.herald.redis.RedisLogOptions;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.TokensEndpoint;
import dev.herald.server.auth.sign.ReplayGuard;
import dev.herald.server.auth.sign.SeenSignatures;
import dev.herald.server.auth.sign.SignatureVerifier;
import dev.herald.server.auth.token.TokenVerifier;
import dev.herald.server.cluster.RedisRateLimits;
import dev.herald.server.cluster.RedisSeenSignatures;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.TopicRules;
import dev.herald.server.demo.ClockPublisher;
import dev.herald.server.http.Router;
import dev.herald.server.json.MessageJson;
import dev.herald.server.limits.ConnectionLimiter;
import dev.herald.server.limits.LocalRateLimits;
import dev.herald.server.limits.RateLimiter;
import dev.herald.server.limits.RateLimits;
import dev.herald.server.ops.ByteCounter;
import dev.herald.server.ops.Metrics;
import dev.herald.server.ops.OpsEndpoints;
import dev.herald.server.poll.PollEndpoint;
import dev.herald.server.publish.PublishEndpoint;
import dev.herald.server.publish.PublishParser;
import dev.herald.server.publish.PublishRate;
import dev.herald.server.sse.Heartbeats;
import dev.herald.server.sse.SseEncoder;
import dev.herald.server.sse.SseEndpoint;
import dev.herald.server.web.StaticFiles;
import dev.herald.server.ws.WebSocketEndpoint;
import dev.herald.store.RocksLog;
import dev.herald.store.RocksLogOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Herald: the log, the hub, the HTTP server and the demo publishers. {@link #close()} stops it in the
 * order that loses nothing: stop accepting, tell streams to come back, stop the publishers, flush the log.
 */
public final class HeraldServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeraldServer.class);
    private static final String API = "/api/v1";

    private final HeraldConfig config;
    private final Log store;
    private final Hub hub;
    private final Metrics metrics = new Metrics();
    private final ExecutorService reader;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final ChannelGroup streams = new DefaultChannelGroup("streams", GlobalEventExecutor.INSTANCE);
    private final WebSocketEndpoint webSocket;
    private final Channel serverChannel;
    private final ClockPublisher clock;
    private final BuiltIns builtIns;
    // Per node, even in a cluster: a connection is held by one node.
    private final RateLimiter<InetAddress> connectionRates = new RateLimiter<>();
    // This node's buckets for request and publish rates; in a cluster, the fallback while Redis is away.
    private final LocalRateLimits localRates = new LocalRateLimits(new RateLimiter<>());
    private volatile boolean closed;

    private HeraldServer(HeraldConfig config) throws InterruptedException {
        this.config = config;
        this.store = openLog(config);
        AtomicInteger readers = new AtomicInteger();
        this.reader = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "herald-history-" + readers.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.hub = new Hub(store, reader, TopicRules.matching(config.topics().latestValue()));
        metrics.gauge("herald.subscriptions", "Subscriptions registered in the hub", hub::subscriptionCount);

        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        int loops = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        workerGroup = new MultiThreadIoEventLoopGroup(loops, io);

        // In a cluster, rate limits and accepted signatures are shared in the log's Redis (dev.herald.server.cluster).
        Optional<RedisLimits> shared = store instanceof RedisLog redis ? Optional.of(redis.limits()) : Optional.empty();
        RateLimits rates = shared.<RateLimits>map(l -> new RedisRateLimits(l, localRates)).orElse(localRates);
        SeenSignatures seen = shared.<SeenSignatures>map(RedisSeenSignatures::new)
                .orElse(SeenSignatures.THIS_NODE_ONLY);
        PublishRate publishRate = new PublishRate(rates, config.publishPerSecondPerApp());
        Clock wallClock = Clock.systemUTC();
        builtIns = new BuiltIns(config, hub, metrics, wallClock);
        Access access = builtIns.access(config.access());
        Authenticator authenticator = new Authenticator(access,
                new SignatureVerifier(access::app, wallClock, new ReplayGuard(), seen),
                new TokenVerifier(access::app, wallClock));
        SseEncoder encoder = new SseEncoder(store.epoch());
        SseEndpoint sse = new SseEndpoint(hub, authenticator, encoder, new Heartbeats(config.heartbeat()), metrics, streams,
                config.retry(), config.maxTopicsPerSubscription(), config.maxHistory(), List.of())
                .withAttendance(builtIns.attendance());
        SseEndpoint clockStream = sse.withDefaultTopics(List.of(ClockPublisher.TOPIC.name()));
        OpsEndpoints ops = new OpsEndpoints(store, metrics);
        MessageJson messageJson = new MessageJson(store.epoch()); // one per server: each message is encoded once
        webSocket = new WebSocketEndpoint(config, hub, authenticator, messageJson, publishRate, metrics,
                builtIns.attendance(), builtIns.policy());
        Router router = builtIns.routes(Router.builder(), authenticator)
                .route(HttpMethod.POST, API + "/publish", new PublishEndpoint(hub,
                        new PublishParser(config.maxDataBytes(), config.maxBatch()), authenticator, publishRate,
                        metrics, builtIns.policy()))
                .route(HttpMethod.POST, API + "/tokens", new TokensEndpoint(authenticator, wallClock))
                .route(HttpMethod.GET, API + "/stream", sse)
                .route(HttpMethod.GET, API + "/poll", new PollEndpoint(hub, authenticator, messageJson, metrics,
                        config.maxTopicsPerSubscription(), config.maxHistory(), builtIns.attendance()))
                .route(HttpMethod.GET, API + "/ws", webSocket)
                .route(HttpMethod.GET, "/", SseEndpoint::wantsEventStream, clockStream)
                .route(HttpMethod.GET, "/stream", SseEndpoint::wantsEventStream, clockStream)
                .route(HttpMethod.GET, "/healthz", ops.health())
                .route(HttpMethod.GET, "/readyz", ops.ready())
                .route(HttpMethod.GET, "/metrics", ops.metrics())
                .build(new StaticFiles());

        // Buckets that refilled are forgotten, so a limiter holds only the clients active in the last seconds.
        workerGroup.scheduleAtFixedRate(() -> {
            connectionRates.forgetIdle();
            localRates.forgetIdle();
        }, 10, 10, TimeUnit.SECONDS);
        serverChannel = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 256 * 1024))
                .childHandler(new HttpInitializer(
                        new ConnectionLimiter(config.connectionsPerIp(), config.newConnectionsPerSecondPerIp(),
                                connectionRates),
                        new ByteCounter(metrics), config.headerTimeout(), config.access().allOrigins(),
                        config.maxBodyBytes(), config.requestsPerSecondPerIp(), rates, router))
                .bind(new InetSocketAddress(config.host(), config.port()))
                .sync()
                .channel();
        log.info("listening on {} ({}, {}, epoch {})", serverChannel.localAddress(), epoll ? "epoll" : "nio",
                config.cluster().isEnabled() ? "cluster log on " + config.cluster().server()
                        : config.store().name().toLowerCase() + " store", store.epoch());

        clock = new ClockPublisher(hub, wallClock);
        if (config.clockDemo()) {
            clock.start();
        }
        builtIns.start(workerGroup);
    }

    /** Starts a server; it is listening when this returns. */
    public static HeraldServer start(HeraldConfig config) {
        try {
            return new HeraldServer(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    private static Log openLog(HeraldConfig config) {
        if (config.cluster().isEnabled()) {
            RedisLogOptions options = RedisLogOptions.builder(config.cluster().uri()).retention(config.retention())
                    .build();
            try {
                return RedisLog.open(options); // store.* is not used: the log is the cluster's
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage() + " (cluster)", e);
            }
        }
        return switch (config.store()) {
            case MEMORY -> new MemoryLog(config.retention(), System::currentTimeMillis);
            case ROCKSDB -> {
                try {
                    yield RocksLog.open(RocksLogOptions.builder(config.dataDir())
                            .retention(config.retention())
                            .sync(config.sync())
                            .build());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot open the store in " + config.dataDir() + ": "
                            + e.getMessage(), e);
                }
            }
        };
    }

    /** The port the server listens on. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public Hub hub() {
        return hub;
    }

    public HeraldConfig config() {
        return config;
    }

    /** The admin credential of {@code /admin}: {@code admin.token}, or the random one made at this start. */
    public String adminToken() {
        return builtIns.adminToken();
    }

    /** Stops in order; every publish answered before this returns is in the log. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("shutting down");
        serverChannel.close().syncUninterruptibly();
        clock.close();
        builtIns.close();
        // Tell every stream to come back soon, then end it; EventSource reconnects after the retry delay.
        Duration comeBack = Duration.ofMillis(Math.min(config.retry().toMillis(), 1000));
        ChannelGroupFuture sockets = webSocket.goAway();
        for (Channel stream : streams) {
            stream.write(new DefaultHttpContent(SseEncoder.retry(comeBack)));
            stream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        }
        streams.newCloseFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
        sockets.awaitUninterruptibly(2, TimeUnit.SECONDS);
        // The log finishes the appends under way while the event loops still run to answer them.
        store.close();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        reader.shutdownNow();
        metrics.close();
        log.info("stopped");
    }
}
