package dev.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The subscribers {@code [first, first + count)} of a run, in this process: connected at the fleet's share of the
 * ramp, each from its loopback source address, and reconnected from their cursors when a connection closes.
 * Transport handlers report here, on the subscriber's event loop; counters are atomic because several loops may
 * report at once and the bench reads progress from its own thread.
 */
final class LocalFleet implements Fleet {
    private static final int CONNECT_RETRIES = 3;
    private static final int MAX_PENDING = 2_000;
    private static final int MAX_ERRORS = 10;

    private final BenchOptions options;
    private final double ramp;
    private final EpochClock clock;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Subscriber[] subscribers;
    private final UrlTemplate url;
    private final SubscriberChannels channels;

    private final AtomicLong connected = new AtomicLong();
    private final AtomicLong settled = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder unparsed = new LongAdder();
    private final LongAdder otherEvents = new LongAdder();
    private final AtomicLong firstAttemptMicros = new AtomicLong();
    private final AtomicLong lastConnectMicros = new AtomicLong();
    private volatile long comeBackMicros;
    private final Recorder latency = new Recorder(1, Histograms.MAX_MICROS, 3);
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger errorCount = new AtomicInteger();
    private volatile boolean away;
    private volatile boolean stopping;

    LocalFleet(BenchOptions options, int first, int count, double ramp, EpochClock clock) {
        this.options = options;
        this.ramp = ramp;
        this.clock = clock;
        this.url = UrlTemplate.parse(options.resolve(options.subscribeUrl()));
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(options.threads(), io);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        if (epoll) {
            // The source port is chosen at connect, per destination, not at bind: each source address then offers
            // its whole ephemeral range to every server port.
            b.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        this.bootstrap = b;
        this.channels = new SubscriberChannels(options, url, this);
        this.subscribers = new Subscriber[count];
        InetAddress firstSource = address(options.firstSourceAddress());
        for (int i = 0; i < count; i++) {
            int index = first + i;
            subscribers[i] = new Subscriber(index, index % options.topics(),
                    new InetSocketAddress(offset(firstSource, index % options.sourceAddresses()), 0));
        }
        if (count > 0) {
            Warmup.clientPaths(options);
        }
    }

    private static InetAddress address(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--first-source-address: " + a, e);
        }
    }

    /** {@code base} plus {@code n}, as a 32-bit address: 127.0.0.2 + 300 is 127.0.1.46. */
    static InetAddress offset(InetAddress base, int n) {
        byte[] b = base.getAddress();
        int v = ByteBuffer.wrap(b).getInt() + n;
        try {
            return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(v).array());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void start() {
        firstAttemptMicros.set(clock.nowMicros());
        launch(List.of(subscribers));
    }

    /** Connects {@code which} in order, at the ramp rate, with at most {@link #MAX_PENDING} attempts under way. */
    private void launch(List<Subscriber> which) {
        long t0 = System.nanoTime();
        int[] launched = {0};
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        task[0] = group.next().scheduleAtFixedRate(() -> {
            long due = Math.min(which.size(), (long) ((System.nanoTime() - t0) / 1e9 * ramp) + 1);
            while (launched[0] < due && pending.get() < MAX_PENDING && !stopping) {
                Subscriber s = which.get(launched[0]++);
                pending.incrementAndGet();
                if (s.loop == null) {
                    s.loop = group.next();
                }
                s.loop.execute(() -> connect(s));
            }
            if (launched[0] == which.size() || stopping) {
                task[0].cancel(false);
            }
        }, 0, 5, TimeUnit.MILLISECONDS);
    }

    /** On {@code s.loop}: one connection attempt; its close, however it comes, is {@link #ended}. */
    private void connect(Subscriber s) {
        if (stopping) {
            pending.decrementAndGet();
            return;
        }
        Bootstrap b = bootstrap.clone(s.loop).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                channels.install(ch.pipeline(), s);
            }
        });
        Channel ch = b.connect(url.address(), s.local).addListener(f -> {
            if (!f.isSuccess()) {
                error("connect from " + s.local.getAddress().getHostAddress() + ": " + f.cause());
            }
        }).channel();
        s.channel = ch;
        ch.closeFuture().addListener(f -> ended(s));
    }

    /** A transport's word that {@code s} is subscribed (the stream opened, the first poll was answered, …). */
    void connected(Subscriber s) {
        if (s.connectedNow) {
            return;
        }
        s.connectedNow = true;
        s.failures = 0;
        connected.incrementAndGet();
        pending.decrementAndGet();
        if (!s.connectedOnce) {
            s.connectedOnce = true;
            settled.incrementAndGet();
            lastConnectMicros.accumulateAndGet(clock.nowMicros(), Math::max);
        }
    }

    /** On {@code s.loop}: the connection of {@code s} closed; reconnect, retry or give up. */
    private void ended(Subscriber s) {
        if (s.connectedNow) {
            s.connectedNow = false;
            connected.decrementAndGet();
            if (stopping || away) {
                return;
            }
            disconnects.incrementAndGet();
            if (options.reconnect()) {
                reconnects.incrementAndGet();
                pending.incrementAndGet();
                s.loop.schedule(() -> connect(s), 1, TimeUnit.SECONDS);
            }
            return;
        }
        if (stopping || away) {
            pending.decrementAndGet();
            return;
        }
        if (++s.failures <= CONNECT_RETRIES) {
            s.loop.schedule(() -> connect(s), 1, TimeUnit.SECONDS);
            return;
        }
        pending.decrementAndGet();
        if (!s.connectedOnce) {
            failed.incrementAndGet();
            settled.incrementAndGet();
        }
    }

    /** A message's data arrived at {@code s}. */
    void deliver(Subscriber s, byte[] data, int length) {
        if (s.payload.parse(data, 0, length)) {
            account(s);
        } else {
            unparsed.increment();
        }
    }

    /** A message's data arrived at {@code s}. */
    void deliver(Subscriber s, CharSequence data) {
        if (s.payload.parse(data)) {
            account(s);
        } else {
            unparsed.increment();
        }
    }

    private void account(Subscriber s) {
        long now = clock.nowMicros();
        latency.recordValue(Math.max(1, Math.min(Histograms.MAX_MICROS, now - s.payload.ts())));
        if (s.tracker.record(s.payload.seq()) != SequenceTracker.Arrival.DUPLICATE) {
            delivered.increment();
        }
        s.lastDeliveryMicros = now;
    }

    /** A frame that is not even JSON. */
    void unparsedFrame() {
        unparsed.increment();
    }

    /** An event or frame that is not a message: a control event, an acknowledgement. */
    void other() {
        otherEvents.increment();
    }

    /** Keeps the first few errors for the summary. */
    void error(String error) {
        if (errorCount.incrementAndGet() <= MAX_ERRORS) {
            errors.add(error);
        }
    }

    @Override
    public Progress progress() {
        return new Progress(connected.get(), settled.get(), delivered.sum());
    }

    @Override
    public void goAway() {
        away = true;
        closeAll();
    }

    @Override
    public void comeBack() {
        away = false;
        comeBackMicros = clock.nowMicros();
        List<Subscriber> back = new ArrayList<>();
        for (Subscriber s : subscribers) {
            if (s.connectedOnce) {
                back.add(s);
            }
        }
        launch(back);
    }

    private void closeAll() {
        List<io.netty.channel.ChannelFuture> closing = new ArrayList<>();
        for (Subscriber s : subscribers) {
            Channel ch = s.channel;
            if (ch != null) {
                closing.add(ch.close());
            }
        }
        for (var f : closing) {
            f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public Result finish(Published published) {
        stopping = true;
        closeAll();
        // Terminating the loops orders every subscriber's writes before the reads below.
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        Map<Integer, NavigableSet<Long>> failedByTopic = new HashMap<>();
        long everConnected = 0;
        long expected = 0;
        long distinct = 0;
        long lost = 0;
        long duplicated = 0;
        long reordered = 0;
        long lastDelivery = 0;
        for (Subscriber s : subscribers) {
            if (!s.connectedOnce) {
                continue;
            }
            everConnected++;
            long last = published.lastOf(s.topic);
            NavigableSet<Long> f = failedByTopic.computeIfAbsent(s.topic, published::failedOf);
            expected += last - f.headSet(last, true).size();
            lost += s.tracker.lost(last, f);
            distinct += s.tracker.distinct();
            duplicated += s.tracker.duplicated();
            reordered += s.tracker.reordered();
            lastDelivery = Math.max(lastDelivery, s.lastDeliveryMicros);
        }
        Histogram h = latency.getIntervalHistogram();
        return new Result(subscribers.length, everConnected, failed.get(), disconnects.get(), reconnects.get(),
                expected, distinct, lost, duplicated, reordered, unparsed.sum(), otherEvents.sum(),
                firstAttemptMicros.get(), lastConnectMicros.get(), comeBackMicros, lastDelivery,
                Histograms.encode(h), List.copyOf(errors));
    }

    @Override
    public void close() {
        stopping = true;
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
