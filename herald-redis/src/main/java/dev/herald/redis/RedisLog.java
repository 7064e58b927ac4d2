package dev.herald.redis;

import static java.util.Objects.requireNonNull;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Epochs;
import dev.herald.core.History;
import dev.herald.core.Log;
import dev.herald.core.Message;
import dev.herald.core.Selector;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster {@link Log}: messages in a Redis stream that every Herald node shares, through Lettuce. One
 * shard (S = 1); all its keys carry the hash tag {@code {0}} (see {@link Keys} for the layout).
 *
 * <h2>Appending</h2>
 * {@link #append} never blocks: it sends one script ({@code append.lua}, EVALSHA) that checks the epoch,
 * recognises idempotency keys, takes offsets from one counter, adds the messages to the stream with entry id
 * {@code <offset>-1}, indexes them per topic and applies count retention, all atomically. The maxCount and
 * maxAge of each draft's topic come from the {@link dev.herald.core.RetentionPolicy} here, since Lua cannot
 * evaluate selectors. The future completes once this node's follower has read past the batch's last offset,
 * so the listener has been told of the messages first; it completes on the follower's thread, or on a
 * Lettuce I/O thread when the follower was already past (or nothing new was stored): what depends on it
 * should be quick or use an {@code *Async} stage. It fails with {@link AppendException}; {@link AppendException#mayBeStored()} says whether the batch
 * may be stored all the same (a timeout, or a connection that broke while the script was under way).
 * While Redis is unreachable, appends fail at once and nothing is stored: Lettuce rejects commands while
 * disconnected instead of queueing them, and never sends an append again after a reconnect.
 *
 * <h2>Listening: what a cluster guarantees</h2>
 * Every node follows the stream (see {@link Follower}) and tells its listener of every message, appended by
 * any node, once and in offset order. A message that retention removes stays in the stream for a few seconds
 * (see {@link RetentionPass}), so a follower that is less behind than that sees it even so: this is why a
 * message that count retention removed in its own append still reaches every listener. A follower further
 * behind skips what was deleted meanwhile, and logs it; a subscriber catching up from the log instead is told
 * of the gap by the trim marks. A node that just opened the log tells its listener of what is appended from
 * then on.
 *
 * <h2>Reading</h2>
 * {@link #read} and {@link #last} block the caller (never call them on an event loop) and never return an
 * offset above {@link #head()} as it was when they began; see {@link Reader}. They throw
 * {@link RedisException} when Redis fails to answer.
 *
 * <h2>Epoch</h2>
 * The first node to open the log makes the epoch (SET NX); the others read it. When the epoch key is gone (the
 * data was flushed, or Redis restarted without persistence) or the sequence went back (an older snapshot), a
 * running log stops: it takes no more appends, {@link #isWritable()} turns false and its follower stops,
 * because its offsets and its subscribers' positions no longer mean anything there. Opening the log again
 * makes a new epoch, so cursors from the old one are recognised as foreign. Run Redis with AOF so that a
 * restart keeps the data ({@code appendonly yes}; {@code appendfsync always} to lose nothing acknowledged),
 * and with {@code maxmemory-policy noeviction}.
 *
 * <p>Needs Redis 6.2 or later; a standalone server, a primary behind a stable address, or the primary that
 * Sentinel names ({@code redis-sentinel://}: each reconnect asks a sentinel again). Replication is asynchronous:
 * a replica promoted after a failover may lack the newest appends, which this log then sees as the sequence
 * going back, and it stops as above rather than give out an offset twice.
 *
 * <p>{@link #limits()} gives the rate limits and once-only marks that the nodes share besides the log, and
 * {@link #roster()} their presence.
 */
public final class RedisLog implements Log {
    private static final Logger log = LoggerFactory.getLogger(RedisLog.class);
    private static final Pattern EPOCH = Pattern.compile("[0-9a-z]{1,16}");

    private final RedisLogOptions options;
    private final String server;
    private final Keys keys;
    private final String epoch;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final Acks acks;
    private final Reader reader;
    private final Follower follower;
    private final ScheduledExecutorService passes;
    private final StatefulRedisConnection<String, String> limitsConnection;
    private final RedisLimits limits;
    private final StatefulRedisConnection<String, String> rosterConnection;
    private final RedisRoster roster;

    private final AtomicLong head;
    private final LogState state;
    private final Appender appender;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Object closeLock = new Object();
    private boolean closing; // guarded by closeLock
    private volatile Consumer<List<Message>> listener = m -> { };

    private RedisLog(RedisLogOptions options, ClientResources resources, RedisClient client,
            StatefulRedisConnection<String, String> connection, StatefulRedisConnection<String, String> following,
            StatefulRedisConnection<String, String> limitsConnection,
            StatefulRedisConnection<String, String> rosterConnection, String epoch, long seq) {
        this.options = options;
        this.server = options.server();
        this.keys = Keys.of(options.prefix(), 0);
        this.epoch = epoch;
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.head = new AtomicLong(seq);
        long grace = Math.max(TimeUnit.SECONDS.toNanos(5), options.commandTimeout().toNanos() * 5);
        this.acks = new Acks(seq, grace);
        this.state = new LogState(server, connection, acks);
        this.appender = new Appender(options, keys, epoch, connection, acks, head, state);
        this.reader = new Reader(connection.async(), keys);
        this.follower = new Follower(following, keys, epoch, seq, new Follower.Sink() {
            @Override
            public void deliver(List<Message> messages, long through) {
                delivered(messages, through);
            }

            @Override
            public void lost(String why) {
                state.lost(why);
            }
        }, server);
        this.limitsConnection = limitsConnection;
        this.limits = new RedisLimits(limitsConnection, options.prefix());
        this.rosterConnection = rosterConnection;
        this.roster = new RedisRoster(rosterConnection, keys);
        this.passes = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-redis-retention");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects to Redis, makes the epoch if this is the log's first open, and starts following the stream from
     * its end.
     *
     * @throws IOException if Redis cannot be reached, is older than 6.2, or holds something else under the
     *     prefix
     */
    public static RedisLog open(RedisLogOptions options) throws IOException {
        requireNonNull(options, "options");
        Duration timeout = options.commandTimeout();
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        RedisURI uri = options.uri(); // our own copy (a builder from it would drop Sentinel's part)
        uri.setTimeout(timeout);
        uri.setClientName("herald");
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // Fail at once while disconnected; and, with it, commands under way when the connection breaks
                // fail instead of being sent again after the reconnect (an append must not run after it failed).
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled())
                .build());
        StatefulRedisConnection<String, String> connection = null;
        StatefulRedisConnection<String, String> following = null;
        StatefulRedisConnection<String, String> limiting = null;
        StatefulRedisConnection<String, String> rostering = null;
        try {
            connection = client.connect();
            RedisCommands<String, String> redis = connection.sync();
            ServerCheck.check(redis, options.server());
            Keys keys = Keys.of(options.prefix(), 0);
            if ("OK".equals(redis.set(keys.epoch(), Epochs.next(), SetArgs.Builder.nx()))) {
                log.info("new log on {} under {}: epoch {}", options.server(), keys.base(), redis.get(keys.epoch()));
            }
            String epoch = redis.get(keys.epoch());
            if (epoch == null || !EPOCH.matcher(epoch).matches()) {
                throw new IOException("key " + keys.epoch() + " on " + options.server() + " holds '" + epoch
                        + "', not a Herald epoch (expected: 1 to 16 of [0-9a-z]; another program uses prefix "
                        + options.prefix() + "?)");
            }
            String seq = redis.get(keys.seq());
            following = client.connect();
            // The follower blocks in XREAD for up to a second: its commands may take that much longer.
            following.setTimeout(timeout.plusMillis(Follower.BLOCK_MS));
            limiting = client.connect();
            rostering = client.connect();
            RedisLog opened = new RedisLog(options, resources, client, connection, following, limiting, rostering,
                    epoch, seq == null ? 0 : Long.parseLong(seq));
            opened.start();
            return opened;
        } catch (RedisException | IOException | NumberFormatException e) {
            if (rostering != null) {
                rostering.close();
            }
            if (limiting != null) {
                limiting.close();
            }
            if (following != null) {
                following.close();
            }
            if (connection != null) {
                connection.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot open the log on " + options.server() + ": " + e.getMessage(), e);
        }
    }

    private void start() {
        follower.start();
        RetentionPass pass = new RetentionPass(connection.async(), keys, epoch, Epochs.next(),
                options.retention(), options.clock(), new RetentionPass.Owner() {
                    @Override
                    public boolean isConnected() {
                        return state.isConnected();
                    }

                    @Override
                    public void expireAcks() {
                        acks.expire();
                    }

                    @Override
                    public void answered(boolean answered) {
                        state.answered(answered);
                    }

                    @Override
                    public void lost(String why) {
                        state.lost(why);
                    }
                }, server);
        passes.scheduleWithFixedDelay(pass, RetentionPass.INTERVAL_MS, RetentionPass.INTERVAL_MS,
                TimeUnit.MILLISECONDS);
    }

    public RedisLogOptions options() {
        return options;
    }

    /** The rate limits and once-only marks that the nodes sharing this log share too; closed with the log. */
    public RedisLimits limits() {
        return limits;
    }

    /** The presence that the nodes sharing this log share too, on a connection of its own; closed with the log. */
    public RedisRoster roster() {
        return roster;
    }

    @Override
    public String epoch() {
        return epoch;
    }

    /** {@inheritDoc} Here: the highest offset this node knows to be stored, by its appends or its follower. */
    @Override
    public long head() {
        return head.get();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Never blocks. The future fails with {@link IllegalArgumentException} when the batch has more than
     * {@link RedisLogOptions#maxBatch()} drafts or a draft holds an unpaired surrogate, and with
     * {@link AppendException} otherwise.
     */
    @Override
    public CompletableFuture<List<Appended>> append(List<Draft> drafts) {
        return appender.append(List.copyOf(requireNonNull(drafts, "drafts")));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: a cursor another node gave may be ahead of this node's head until its follower reads that far.
     * When Redis holds the offset, the future completes once the follower has passed it (or after a few seconds
     * if it cannot read); when Redis does not, at once; it fails when Redis does not answer.
     */
    @Override
    public CompletableFuture<Void> awaitHead(long offset) {
        if (head.get() >= offset) {
            return CompletableFuture.completedFuture(null);
        }
        AppendException refused = state.refusal();
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        return connection.async().get(keys.seq()).toCompletableFuture().thenCompose(seq -> {
            long stored = seq == null ? 0 : Long.parseLong(seq);
            return stored >= offset ? acks.after(offset, (Void) null) : CompletableFuture.<Void>completedFuture(null);
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws RedisException when Redis does not answer
     */
    @Override
    public History read(Collection<Selector> selectors, long after, int limit) {
        requireNonNull(selectors, "selectors");
        return reader.read(selectors, after, limit, head.get());
    }

    /**
     * {@inheritDoc}
     *
     * @throws RedisException when Redis does not answer
     */
    @Override
    public List<Message> last(Collection<Selector> selectors, int count) {
        requireNonNull(selectors, "selectors");
        return reader.last(selectors, count, head.get());
    }

    /** {@inheritDoc} The listener runs on the follower's thread; an exception it throws is logged and ignored. */
    @Override
    public void listen(Consumer<List<Message>> listener) {
        this.listener = requireNonNull(listener, "listener");
    }

    /**
     * Whether the log is open, its data still stored, and Redis connected and answering: false from a command
     * that timed out until Redis answers again (the retention pass asks it each second).
     */
    @Override
    public boolean isWritable() {
        return state.isWritable();
    }

    // Follower thread: head first, so that a subscription starting after a fan-out reads from past it.
    private void delivered(List<Message> messages, long through) {
        head.accumulateAndGet(through, Math::max);
        if (!messages.isEmpty()) {
            try {
                listener.accept(Collections.unmodifiableList(messages));
            } catch (RuntimeException e) {
                log.error("log listener failed on {} messages from offset {}; the follower goes on",
                        messages.size(), messages.get(0).offset(), e);
            }
        }
        acks.passed(through);
    }

    /**
     * Stops taking appends, waits (a little longer than the command timeout at most) for those under way, then
     * stops the follower and closes the connections. Idempotent; called from the listener, it returns at once
     * and the log closes after the batch.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            state.close();
            if (closing) {
                if (!follower.isFollowerThread()) {
                    terminated.join();
                }
                return;
            }
            closing = true;
        }
        if (follower.isFollowerThread()) {
            Thread closer = new Thread(this::shutDown, "herald-redis-close");
            closer.setDaemon(true);
            closer.start();
        } else {
            shutDown();
        }
    }

    private void shutDown() {
        try {
            long deadline = System.nanoTime() + options.commandTimeout().toNanos() + TimeUnit.SECONDS.toNanos(1);
            while (appender.inFlight() > 0 && System.nanoTime() - deadline < 0) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        passes.shutdownNow();
        follower.stop(Duration.ofSeconds(2));
        acks.releaseAll(); // stored: only the listener did not hear of them
        try {
            rosterConnection.close();
            limitsConnection.close();
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
        } catch (RuntimeException | InterruptedException e) {
            log.warn("closing the connections to {} failed: {}", server, e.toString());
        } finally {
            terminated.complete(null);
        }
    }

    @Override
    public String toString() {
        return "RedisLog{" + server + ", " + keys.base() + ", epoch " + epoch + ", head " + head() + "}";
    }
}
