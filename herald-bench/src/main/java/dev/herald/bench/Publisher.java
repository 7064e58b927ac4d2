package dev.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Publishes at the run's rate, open-loop: message k is due at {@code t0 + k / rate} whether or not earlier answers
 * came, and its timestamp and its acknowledgement latency are taken from that intended time, so a slow server shows
 * as latency instead of slowing the load (no coordinated omission). Messages go round-robin over the topics; topic
 * t always goes over connection t mod publishers, and its sequence number is assigned when its request is written,
 * so each topic's numbers reach the server in order. With rate 0 each connection keeps its pipeline full instead.
 *
 * <p>Everything runs on one event loop. A connection's waiting messages are bounded ({@code --max-backlog}): past
 * it, due messages are skipped and counted, without a number, so they leave no gap.
 */
final class Publisher {
    private static final int MAX_ERRORS = 10;
    private static final int MAX_RECONNECTS = 100;

    private final BenchOptions options;
    private final EpochClock clock;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final UrlTemplate url;
    private final List<HeaderTemplate> headers;
    private final Template body;
    private final HttpMethod method;
    private final Connection[] connections;
    private final long[] lastSeq;
    private final Map<Integer, List<Long>> failedSeqs = new HashMap<>();
    private final Histogram ack = Histograms.micros();
    private final List<String> errors = new ArrayList<>();
    private final CompletableFuture<Result> done = new CompletableFuture<>();
    private long t0;
    private long end;
    private long issued;
    private boolean issuing;
    private volatile long sent; // written on the loop only; read by the progress report
    private long acked;
    private long failed;
    private long skipped;
    private long requests;
    private long lastAck;

    /** A message due at {@code intended} (nanoTime), not yet numbered. */
    private record Due(int topic, long intended) {
    }

    /** A request written and not yet answered. */
    private record InFlight(int topic, long[] seqs, long[] intended) {
    }

    /**
     * What publishing did; {@code firstNanos} and {@code lastAckNanos} are this process's nanoTime.
     */
    record Result(long sent, long acked, long failed, long skipped, long requests, long firstNanos,
            long lastAckNanos, Histogram ack, Published published, List<String> errors) {
    }

    Publisher(BenchOptions options, EpochClock clock) {
        this.options = options;
        this.clock = clock;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, io);
        this.loop = group.next();
        this.url = UrlTemplate.parse(options.resolve(options.publishUrl()));
        this.headers = HeaderTemplate.parseAll(options.publishHeaders());
        this.body = Template.of(options.publishBody());
        this.method = HttpMethod.valueOf(options.publishMethod());
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        this.connections = new Connection[Math.min(options.publishers(), options.topics())];
        for (int i = 0; i < connections.length; i++) {
            connections[i] = new Connection(i);
        }
        this.lastSeq = new long[options.topics()];
    }

    /** Opens the connections, publishes for the run's duration, and completes once every answer is in. */
    CompletableFuture<Result> run() {
        loop.execute(() -> {
            t0 = System.nanoTime();
            end = t0 + (long) (options.duration() * 1e9);
            issuing = true;
            for (Connection c : connections) {
                c.connect();
            }
            // A periodic task that throws is never run again: a bug must end the run, not stall it.
            loop.scheduleAtFixedRate(() -> guarded(this::tick), 0, 1, TimeUnit.MILLISECONDS);
            // However the server behaves, publishing ends: what still waits is skipped, what is unanswered failed.
            loop.schedule(() -> guarded(this::abandon),
                    (long) ((options.duration() + Math.max(5, options.drain())) * 1e3), TimeUnit.MILLISECONDS);
        });
        return done;
    }

    private void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            done.completeExceptionally(e);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Messages sent so far. */
    long sent() {
        return sent;
    }

    private boolean bounded() {
        return options.messages() > 0 && issued >= options.messages();
    }

    private void tick() {
        if (done.isDone()) {
            return;
        }
        long now = System.nanoTime();
        if (issuing && options.rate() > 0) {
            long due = (long) ((Math.min(now, end) - t0) / 1e9 * options.rate()) + 1;
            if (options.messages() > 0) {
                due = Math.min(due, options.messages());
            }
            while (issued < due) {
                long k = issued++;
                int topic = (int) (k % options.topics());
                Connection c = connections[topic % connections.length];
                if (c.waiting.size() >= options.maxBacklog()) {
                    skipped++;
                } else {
                    c.waiting.add(new Due(topic, t0 + (long) (k * 1e9 / options.rate())));
                }
            }
        }
        if (issuing && (now >= end || bounded())) {
            issuing = false;
        }
        for (Connection c : connections) {
            c.pump();
        }
        if (!issuing) {
            for (Connection c : connections) {
                if (!c.waiting.isEmpty() || !c.inFlight.isEmpty()) {
                    return;
                }
            }
            finish();
        }
    }

    private void abandon() {
        if (done.isDone()) {
            return;
        }
        issuing = false;
        for (Connection c : connections) {
            skipped += c.waiting.size();
            c.waiting.clear();
            while (!c.inFlight.isEmpty()) {
                fail(c.inFlight.poll(), "unanswered when publishing ended");
            }
        }
        finish();
    }

    private void finish() {
        for (Connection c : connections) {
            c.closing = true;
            if (c.channel != null) {
                c.channel.close();
            }
        }
        Map<Integer, List<Long>> failedCopy = new HashMap<>();
        failedSeqs.forEach((t, seqs) -> failedCopy.put(t, List.copyOf(seqs)));
        done.complete(new Result(sent, acked, failed, skipped, requests, t0, lastAck, ack.copy(),
                new Published(lastSeq.clone(), failedCopy), List.copyOf(errors)));
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private void error(String e) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(e);
        }
    }

    private void fail(InFlight r, String why) {
        failed += r.seqs().length;
        List<Long> list = failedSeqs.computeIfAbsent(r.topic(), t -> new ArrayList<>());
        for (long s : r.seqs()) {
            list.add(s);
        }
        error("publish " + options.topic(r.topic()) + " #" + r.seqs()[0] + ": " + why);
    }

    /** One keep-alive publishing connection and the topics that go over it. */
    private final class Connection {
        final int index;
        final ArrayDeque<Due> waiting = new ArrayDeque<>();
        final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
        Channel channel;
        boolean active;
        boolean closing;
        boolean closeAnnounced;
        int reconnects;
        int nextTopic; // unpaced: the next of this connection's topics, round-robin

        Connection(int index) {
            this.index = index;
            this.nextTopic = index;
        }

        void connect() {
            Connection self = this;
            channel = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpClientCodec());
                    ch.pipeline().addLast(new HttpObjectAggregator(1024 * 1024));
                    ch.pipeline().addLast(new Answers(self));
                }
            }).connect(url.address()).addListener(f -> {
                if (!f.isSuccess() && !closing && !done.isDone()) {
                    error("publish connect: " + f.cause());
                }
            }).channel();
            channel.closeFuture().addListener(f -> closed());
        }

        void closed() {
            active = false;
            while (!inFlight.isEmpty()) {
                fail(inFlight.poll(), "connection closed before the answer");
            }
            if (closing || done.isDone()) {
                return;
            }
            if (closeAnnounced) {
                closeAnnounced = false; // the server said so (Connection: close): come back at once
                connect();
            } else if (reconnects++ < MAX_RECONNECTS) {
                loop.schedule(this::connect, 100, TimeUnit.MILLISECONDS);
            }
        }

        void pump() {
            if (!active) {
                return;
            }
            boolean wrote = false;
            while (inFlight.size() < options.pipeline()) {
                if (waiting.isEmpty()) {
                    if (options.rate() > 0 || !issuing || bounded()) {
                        break;
                    }
                    // Unpaced: a request's worth of messages on the next topic, due now.
                    long now = System.nanoTime();
                    for (int i = 0; i < options.batch() && !bounded(); i++) {
                        issued++;
                        waiting.add(new Due(nextTopic, now));
                    }
                    nextTopic += connections.length;
                    if (nextTopic >= options.topics()) {
                        nextTopic = index;
                    }
                }
                send();
                wrote = true;
            }
            if (wrote) {
                channel.flush();
            }
        }

        /** Writes the next request: up to {@code --batch} waiting messages of the first one's topic. */
        private void send() {
            int topic = waiting.peek().topic();
            List<Due> batch = new ArrayList<>(Math.min(options.batch(), waiting.size()));
            while (batch.size() < options.batch() && !waiting.isEmpty() && waiting.peek().topic() == topic) {
                batch.add(waiting.poll());
            }
            int n = batch.size();
            long[] seqs = new long[n];
            long[] intended = new long[n];
            StringBuilder b = new StringBuilder(n * (options.payloadBytes() + 64) + 16);
            boolean wrap = options.batch() > 1; // a short last batch is still a batch body
            if (wrap) {
                b.append(options.batchOpen());
            }
            Template.Values first = null;
            for (int i = 0; i < n; i++) {
                long seq = ++lastSeq[topic];
                long ts = clock.toMicros(batch.get(i).intended());
                seqs[i] = seq;
                intended[i] = batch.get(i).intended();
                String data = Payload.format(options.format(), seq, ts, options.payloadBytes());
                Template.Values values = p -> switch (p) {
                    case TOPIC -> options.topic(topic);
                    case SEQ -> Long.toString(seq);
                    case TS -> Long.toString(ts);
                    case DATA -> data;
                    case SUB, CURSOR, TIMEOUT -> "";
                };
                if (i == 0) {
                    first = values;
                } else {
                    b.append(options.batchSeparator());
                }
                body.renderInto(b, values);
            }
            if (wrap) {
                b.append(options.batchClose());
            }
            byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
            var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, url.render(first),
                    Unpooled.wrappedBuffer(bytes));
            request.headers().set(HttpHeaderNames.HOST, url.hostHeader());
            request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            for (HeaderTemplate h : headers) {
                request.headers().add(h.name(), h.value().render(first));
            }
            inFlight.add(new InFlight(topic, seqs, intended));
            sent += n;
            requests++;
            channel.write(request);
        }

        void answered(FullHttpResponse response) {
            InFlight r = inFlight.poll();
            if (r == null) {
                error("an answer to no request: HTTP " + response.status());
                return;
            }
            long now = System.nanoTime();
            for (long intended : r.intended()) {
                Histograms.record(ack, (now - intended) / 1_000);
            }
            int code = response.status().code();
            if (code >= 200 && code < 300) {
                acked += r.seqs().length;
                lastAck = now;
            } else {
                String text = response.content().toString(StandardCharsets.UTF_8);
                fail(r, "HTTP " + response.status() + " " + text.substring(0, Math.min(200, text.length())));
            }
            if (!HttpUtil.isKeepAlive(response)) {
                // Some servers (Pushpin's control API) answer one request per connection.
                active = false;
                closeAnnounced = true;
                channel.close();
                return;
            }
            pump();
        }
    }

    /** Hands each answer to its connection. */
    private static final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Connection connection;

        Answers(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connection.active = true;
            connection.pump();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            connection.answered(response);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
