package dev.herald.redis;

import static java.util.Objects.requireNonNull;

import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * How a {@link RedisLog} connects and keeps messages. Immutable; made by {@link #builder(String)}, which checks
 * every value and names what it expected.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code uri}</td><td>(required)</td><td>the Redis server, {@code redis://[:password@]host[:port][/db]}
 *       or {@code rediss://} for TLS; a user and password go in the URI ({@code redis://user:secret@host}); or
 *       the primary that Sentinel names, {@code redis-sentinel://[:password@]host[:port][,host2[:port2]][/db]#master}
 *       (Lettuce asks a sentinel for the primary on every connect, so a node follows a failover)</td></tr>
 *   <tr><td>{@code prefix}</td><td>{@value #DEFAULT_PREFIX}</td><td>what every key name starts with; nodes
 *       that share a log use the same prefix, logs that must not meet use different ones</td></tr>
 *   <tr><td>{@code retention}</td><td>{@link Retention#DEFAULT} for every topic</td><td>how many messages,
 *       and how old, each topic keeps; every node of a cluster must use the same policy</td></tr>
 *   <tr><td>{@code clock}</td><td>{@code System::currentTimeMillis}</td><td>the time given to messages and used
 *       for age retention, in milliseconds since the epoch</td></tr>
 *   <tr><td>{@code commandTimeout}</td><td>2 s</td><td>how long a command may wait for Redis; an append that
 *       waited that long fails</td></tr>
 *   <tr><td>{@code maxBatch}</td><td>{@value #DEFAULT_MAX_BATCH}</td><td>the most drafts in one append (one
 *       script run, during which Redis serves no one else)</td></tr>
 *   <tr><td>{@code maxInFlight}</td><td>{@value #DEFAULT_MAX_IN_FLIGHT}</td><td>the most appends under way at
 *       once; an append beyond it fails at once rather than queue</td></tr>
 * </table>
 */
public final class RedisLogOptions {
    public static final String DEFAULT_PREFIX = "herald:";
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration MIN_COMMAND_TIMEOUT = Duration.ofMillis(10);
    public static final Duration MAX_COMMAND_TIMEOUT = Duration.ofMinutes(1);
    public static final int DEFAULT_MAX_BATCH = 4096;
    public static final int MAX_MAX_BATCH = 100_000;
    public static final int DEFAULT_MAX_IN_FLIGHT = 16384;
    public static final int MAX_MAX_IN_FLIGHT = 1 << 20;
    static final int MAX_PREFIX_LENGTH = 64;

    private final String uri; // RedisURI is mutable: each caller of uri() gets its own
    private final String prefix;
    private final RetentionPolicy retention;
    private final LongSupplier clock;
    private final Duration commandTimeout;
    private final int maxBatch;
    private final int maxInFlight;

    private RedisLogOptions(Builder b) {
        this.uri = b.uri;
        this.prefix = b.prefix;
        this.retention = b.retention;
        this.clock = b.clock;
        this.commandTimeout = b.commandTimeout;
        this.maxBatch = b.maxBatch;
        this.maxInFlight = b.maxInFlight;
    }

    /** Options for the log on the Redis at {@code uri}, with every other option at its default. */
    public static RedisLogOptions of(String uri) {
        return builder(uri).build();
    }

    /** @throws IllegalArgumentException if {@code uri} is not a redis://, rediss:// or redis-sentinel:// URI */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /**
     * The server, as Lettuce takes it: a new instance on each call, the caller's to change. It may hold a
     * password: never log it, log {@link #server()}.
     */
    public RedisURI uri() {
        return RedisURI.create(uri);
    }

    /**
     * The server without credentials, for messages and logs: {@code redis://host:port/db}, or
     * {@code redis-sentinel://host:port,host:port/db#master}.
     */
    public String server() {
        return server(RedisURI.create(uri));
    }

    private static String server(RedisURI uri) {
        if (uri.getSentinelMasterId() != null) {
            return "redis-sentinel://" + uri.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort())
                    .collect(Collectors.joining(",")) + "/" + uri.getDatabase() + "#" + uri.getSentinelMasterId();
        }
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/"
                + uri.getDatabase();
    }

    public String prefix() {
        return prefix;
    }

    public RetentionPolicy retention() {
        return retention;
    }

    public LongSupplier clock() {
        return clock;
    }

    public Duration commandTimeout() {
        return commandTimeout;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    @Override
    public String toString() {
        return "RedisLogOptions{server=" + server() + ", prefix=" + prefix + ", commandTimeout=" + commandTimeout
                + ", maxBatch=" + maxBatch + ", maxInFlight=" + maxInFlight + "}";
    }

    /** Builds {@link RedisLogOptions}; each setter checks its value and says what it expected. */
    public static final class Builder {
        private final String uri;
        private String prefix = DEFAULT_PREFIX;
        private RetentionPolicy retention = RetentionPolicy.of(Retention.DEFAULT);
        private LongSupplier clock = System::currentTimeMillis;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

        private Builder(String uri) {
            requireNonNull(uri, "uri");
            if (!uri.startsWith("redis://") && !uri.startsWith("rediss://") && !uri.startsWith("redis-sentinel://")) {
                throw new IllegalArgumentException("uri: '" + redact(uri) + "' (expected: "
                        + "redis://[:password@]host[:port][/database], rediss://... or redis-sentinel://...#master)");
            }
            boolean sentinel = uri.startsWith("redis-sentinel://");
            String form = sentinel ? "redis-sentinel://[:password@]host[:port][,host2[:port2]][/database]#master"
                    : "redis://[:password@]host[:port][/database]";
            RedisURI parsed;
            try {
                parsed = RedisURI.create(uri);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("uri: '" + redact(uri) + "' cannot be read: " + e.getMessage()
                        + " (expected: " + form + ")", e);
            }
            if (sentinel) {
                if (parsed.getSentinels().isEmpty() || parsed.getSentinelMasterId() == null
                        || parsed.getSentinelMasterId().isEmpty()) {
                    throw new IllegalArgumentException("uri: '" + redact(uri) + "' names no sentinel or no master "
                            + "(expected: " + form + ")");
                }
            } else if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
                throw new IllegalArgumentException("uri: '" + redact(uri) + "' names no host (expected: "
                        + "redis://host[:port])");
            }
            this.uri = uri;
        }

        /** @param prefix 1 to 64 printable ASCII characters, no space, no '{' or '}' (the hash tag is added) */
        public Builder prefix(String prefix) {
            requireNonNull(prefix, "prefix");
            boolean ok = !prefix.isEmpty() && prefix.length() <= MAX_PREFIX_LENGTH;
            for (int i = 0; ok && i < prefix.length(); i++) {
                char c = prefix.charAt(i);
                ok = c > ' ' && c < 0x7f && c != '{' && c != '}';
            }
            if (!ok) {
                throw new IllegalArgumentException("prefix: '" + prefix + "' (expected: 1 to " + MAX_PREFIX_LENGTH
                        + " printable ASCII characters without space, '{' or '}')");
            }
            this.prefix = prefix;
            return this;
        }

        public Builder retention(RetentionPolicy retention) {
            this.retention = requireNonNull(retention, "retention");
            return this;
        }

        public Builder clock(LongSupplier clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        public Builder commandTimeout(Duration commandTimeout) {
            requireNonNull(commandTimeout, "commandTimeout");
            if (commandTimeout.compareTo(MIN_COMMAND_TIMEOUT) < 0 || commandTimeout.compareTo(MAX_COMMAND_TIMEOUT) > 0) {
                throw new IllegalArgumentException("commandTimeout: " + commandTimeout + " (expected: "
                        + MIN_COMMAND_TIMEOUT + " to " + MAX_COMMAND_TIMEOUT + ")");
            }
            this.commandTimeout = commandTimeout;
            return this;
        }

        public Builder maxBatch(int maxBatch) {
            if (maxBatch < 1 || maxBatch > MAX_MAX_BATCH) {
                throw new IllegalArgumentException("maxBatch: " + maxBatch + " (expected: 1 to " + MAX_MAX_BATCH + ")");
            }
            this.maxBatch = maxBatch;
            return this;
        }

        public Builder maxInFlight(int maxInFlight) {
            if (maxInFlight < 1 || maxInFlight > MAX_MAX_IN_FLIGHT) {
                throw new IllegalArgumentException(
                        "maxInFlight: " + maxInFlight + " (expected: 1 to " + MAX_MAX_IN_FLIGHT + ")");
            }
            this.maxInFlight = maxInFlight;
            return this;
        }

        public RedisLogOptions build() {
            return new RedisLogOptions(this);
        }

        // A password in a URI never reaches a message.
        private static String redact(String uri) {
            int at = uri.lastIndexOf('@');
            int scheme = uri.indexOf("://");
            return at < 0 ? uri : (scheme < 0 ? "" : uri.substring(0, scheme + 3)) + "***" + uri.substring(at);
        }
    }
}
