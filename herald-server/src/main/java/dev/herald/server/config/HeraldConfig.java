package dev.herald.server.config;

import static java.util.Objects.requireNonNull;

import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Selector;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.Permissions;
import dev.herald.store.SyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything Herald is told at start. Immutable; built by {@link Builder}, which validates every value and
 * names the key at fault: {@code server.port: 70000 (expected: 0 to 65535)}.
 *
 * @param host the address to listen on
 * @param port the port; 0 picks a free one
 * @param ioThreads the event loops that serve connections; 0: one per core
 * @param store where the log lives
 * @param dataDir the embedded store's directory
 * @param sync how the embedded store makes appends durable
 * @param retention how much history each topic keeps
 * @param heartbeat how often a stream gets a comment to keep proxies from closing it; below 45 s, the
 *     event-source-polyfill's timeout
 * @param retry the reconnect delay a stream suggests to EventSource
 * @param maxDataBytes the largest message data, in UTF-8 bytes
 * @param maxBodyBytes the largest request body
 * @param maxBatch the most messages one publish may carry
 * @param maxTopicsPerSubscription the most topics or selectors one subscription may name
 * @param maxHistory the largest {@code history=N} a subscription may ask for
 * @param clockDemo whether the built-in publisher puts the time on {@code demo/clock} every second
 * @param access public topics, allowed origins and apps
 * @param requestsPerSecondPerIp the sustained request rate one client address may make (twice that in a burst)
 * @param connectionsPerIp the most connections one client address may hold open at once
 * @param newConnectionsPerSecondPerIp the sustained rate of new connections from one address (twice in a burst)
 * @param headerTimeout how long a client may take to send a request's headers (slowloris)
 * @param publishPerSecondPerApp the sustained publish rate of an app that sets none of its own, in messages
 * @param cluster the Redis that the nodes of a cluster share their log on, or {@link Cluster#NONE}: then the
 *     log is the embedded store ({@code store}, {@code dataDir}, {@code sync})
 * @param topics latest-value, sender-stamped and presence topics
 * @param demo the chat's demo backend and the simulated plant
 * @param adminToken the credential of the admin page and {@code /api/v1/admin/stats}; empty: a random one is made
 *     at each start (and {@code herald serve} prints it)
 */
public record HeraldConfig(
        String host,
        int port,
        int ioThreads,
        StoreType store,
        Path dataDir,
        SyncPolicy sync,
        RetentionPolicy retention,
        Duration heartbeat,
        Duration retry,
        int maxDataBytes,
        int maxBodyBytes,
        int maxBatch,
        int maxTopicsPerSubscription,
        int maxHistory,
        boolean clockDemo,
        Access access,
        int requestsPerSecondPerIp,
        int connectionsPerIp,
        int newConnectionsPerSecondPerIp,
        Duration headerTimeout,
        int publishPerSecondPerApp,
        Cluster cluster,
        TopicRules topics,
        DemoSettings demo,
        String adminToken) {

    /** The shortest {@code admin.token} accepted. */
    public static final int MIN_ADMIN_TOKEN_CHARS = 16;

    /** Out of the box: the demo topics are public, nothing else is. */
    public static final Access DEFAULT_ACCESS = new Access(
            new Permissions(List.of(Selector.of("demo/hello")), List.of(Selector.of("demo/#"))), List.of(), List.of());

    /** Each topic keeps 1,000 messages for at most 24 hours, unless a rule says otherwise. */
    public static final Retention DEFAULT_RETENTION = new Retention(1000, Duration.ofHours(24));

    /** Where the log lives. */
    public enum StoreType {
        /** The embedded durable store (RocksDB) under {@code dataDir}: the default. */
        ROCKSDB,
        /** In memory: nothing survives a restart. For tests and throwaway servers. */
        MEMORY
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every default. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private int ioThreads;
        private StoreType store = StoreType.ROCKSDB;
        private Path dataDir = Path.of("data");
        private SyncPolicy sync = SyncPolicy.GROUP;
        private Retention retention = DEFAULT_RETENTION;
        private final List<RetentionPolicy.Rule> retentionRules = new ArrayList<>(
                List.of(new RetentionPolicy.Rule(Selector.of("demo/clock"),
                        new Retention(300, Duration.ofHours(1)))));
        private Duration heartbeat = Duration.ofSeconds(15);
        private Duration retry = Duration.ofSeconds(2);
        private int maxDataBytes = 64 * 1024;
        private int maxBodyBytes = 1024 * 1024;
        private int maxBatch = 1000;
        private int maxTopicsPerSubscription = 64;
        private int maxHistory = 1000;
        private boolean clockDemo = true;
        private Access access = DEFAULT_ACCESS;
        private int requestsPerSecondPerIp = 1000;
        private int connectionsPerIp = 1000;
        private int newConnectionsPerSecondPerIp = 50;
        private Duration headerTimeout = Duration.ofSeconds(10);
        private int publishPerSecondPerApp = 1000;
        private Cluster cluster = Cluster.NONE;
        private TopicRules topics = TopicRules.DEFAULT;
        private DemoSettings demo = DemoSettings.DEFAULT;
        private String adminToken = "";

        private Builder() {
        }

        public Builder host(String host) {
            this.host = requireNonNull(host, "host");
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Event loops; 0 for one per core. */
        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        public Builder store(StoreType store) {
            this.store = requireNonNull(store, "store");
            return this;
        }

        /** Shorthand for {@code store(StoreType.MEMORY)}. */
        public Builder memoryStore() {
            return store(StoreType.MEMORY);
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = requireNonNull(dataDir, "dataDir");
            return this;
        }

        public Builder sync(SyncPolicy sync) {
            this.sync = requireNonNull(sync, "sync");
            return this;
        }

        public Builder retention(Retention retention) {
            this.retention = requireNonNull(retention, "retention");
            return this;
        }

        /** Replaces the per-topic retention rules (the default keeps 300 clock ticks for an hour). */
        public Builder retentionRules(List<RetentionPolicy.Rule> rules) {
            retentionRules.clear();
            retentionRules.addAll(rules);
            return this;
        }

        public Builder heartbeat(Duration heartbeat) {
            this.heartbeat = requireNonNull(heartbeat, "heartbeat");
            return this;
        }

        public Builder retry(Duration retry) {
            this.retry = requireNonNull(retry, "retry");
            return this;
        }

        public Builder maxDataBytes(int maxDataBytes) {
            this.maxDataBytes = maxDataBytes;
            return this;
        }

        public Builder maxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        public Builder maxTopicsPerSubscription(int maxTopicsPerSubscription) {
            this.maxTopicsPerSubscription = maxTopicsPerSubscription;
            return this;
        }

        public Builder maxHistory(int maxHistory) {
            this.maxHistory = maxHistory;
            return this;
        }

        public Builder clockDemo(boolean clockDemo) {
            this.clockDemo = clockDemo;
            return this;
        }

        public Builder access(Access access) {
            this.access = requireNonNull(access, "access");
            return this;
        }

        /** Makes every topic public: for tests and trusted networks. */
        public Builder everythingPublic() {
            return access(new Access(new Permissions(List.of(Selector.of("#")), List.of(Selector.of("#"))),
                    access.origins(), access.apps()));
        }

        public Builder requestsPerSecondPerIp(int rate) {
            this.requestsPerSecondPerIp = rate;
            return this;
        }

        public Builder connectionsPerIp(int connections) {
            this.connectionsPerIp = connections;
            return this;
        }

        public Builder newConnectionsPerSecondPerIp(int rate) {
            this.newConnectionsPerSecondPerIp = rate;
            return this;
        }

        public Builder headerTimeout(Duration timeout) {
            this.headerTimeout = requireNonNull(timeout, "headerTimeout");
            return this;
        }

        public Builder publishPerSecondPerApp(int rate) {
            this.publishPerSecondPerApp = rate;
            return this;
        }

        /**
         * The Redis the nodes of a cluster share their log on; empty for none.
         *
         * @throws IllegalArgumentException if it is not a redis://, rediss:// or redis-sentinel:// URI
         */
        public Builder cluster(String uri) {
            this.cluster = new Cluster(requireNonNull(uri, "cluster"));
            return this;
        }

        public Builder topics(TopicRules topics) {
            this.topics = requireNonNull(topics, "topics");
            return this;
        }

        /** {@code topics.latestValue} */
        public Builder latestValue(List<Selector> selectors) {
            return topics(new TopicRules(selectors, topics.stamped(), topics.presence()));
        }

        /** {@code topics.stamped} */
        public Builder stamped(List<Selector> selectors) {
            return topics(new TopicRules(topics.latestValue(), selectors, topics.presence()));
        }

        /** {@code topics.presence} */
        public Builder presence(List<Selector> selectors) {
            return topics(new TopicRules(topics.latestValue(), topics.stamped(), selectors));
        }

        public Builder demo(DemoSettings demo) {
            this.demo = requireNonNull(demo, "demo");
            return this;
        }

        /** {@code demo.chat} */
        public Builder chatDemo(boolean on) {
            return demo(new DemoSettings(on, demo.plant(), demo.meters()));
        }

        /** {@code demo.plant} */
        public Builder plantDemo(boolean on) {
            return demo(new DemoSettings(demo.chat(), on, demo.meters()));
        }

        /** {@code demo.meters} */
        public Builder meters(int meters) {
            return demo(new DemoSettings(demo.chat(), demo.plant(), meters));
        }

        /**
         * A bare hub: no demo (clock, chat, plant) and no latest-value, stamped or presence topics. For servers
         * and tests that carry only their own apps' messages, as published.
         */
        public Builder bare() {
            clockDemo(false);
            demo(new DemoSettings(false, false, demo.meters()));
            return topics(new TopicRules(List.of(), List.of(), List.of()));
        }

        /** The admin credential; "" for a random one at each start. */
        public Builder adminToken(String adminToken) {
            this.adminToken = requireNonNull(adminToken, "adminToken");
            return this;
        }

        /** @throws IllegalArgumentException naming the first key whose value is out of bounds */
        public HeraldConfig build() {
            check("server.port", port, 0, 65535);
            check("server.ioThreads", ioThreads, 0, 1024);
            if (heartbeat.compareTo(Duration.ofSeconds(1)) < 0 || heartbeat.compareTo(Duration.ofSeconds(40)) > 0) {
                throw new IllegalArgumentException("sse.heartbeat: " + Durations.format(heartbeat)
                        + " (expected: 1s to 40s, below the 45 s after which event-source-polyfill gives up)");
            }
            if (retry.isNegative() || retry.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException(
                        "sse.retry: " + Durations.format(retry) + " (expected: 0s to 10m)");
            }
            check("limits.maxDataBytes", maxDataBytes, 1, 16 * 1024 * 1024);
            check("limits.maxBodyBytes", maxBodyBytes, 1024, 64 * 1024 * 1024);
            check("limits.maxBatch", maxBatch, 1, 100_000);
            check("limits.maxTopicsPerSubscription", maxTopicsPerSubscription, 1, 10_000);
            check("limits.maxHistory", maxHistory, 1, 100_000);
            check("limits.requestsPerSecondPerIp", requestsPerSecondPerIp, 1, 10_000_000);
            check("limits.connectionsPerIp", connectionsPerIp, 1, 10_000_000);
            check("limits.newConnectionsPerSecondPerIp", newConnectionsPerSecondPerIp, 1, 10_000_000);
            check("limits.publishPerSecondPerApp", publishPerSecondPerApp, 1, 10_000_000);
            if (headerTimeout.compareTo(Duration.ofMillis(100)) < 0 || headerTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("limits.headerTimeout: " + Durations.format(headerTimeout)
                        + " (expected: 100ms to 5m)");
            }
            if (!adminToken.isEmpty()
                    && (adminToken.length() < MIN_ADMIN_TOKEN_CHARS || !adminToken.matches("\\p{Graph}+"))) {
                throw new IllegalArgumentException("admin.token: " + adminToken.length() + " characters (expected: "
                        + "empty for a random one, or at least " + MIN_ADMIN_TOKEN_CHARS
                        + " printable characters without spaces)");
            }
            return new HeraldConfig(host, port, ioThreads, store, dataDir, sync,
                    new RetentionPolicy(retention, retentionRules), heartbeat, retry, maxDataBytes, maxBodyBytes,
                    maxBatch, maxTopicsPerSubscription, maxHistory, clockDemo, access, requestsPerSecondPerIp,
                    connectionsPerIp, newConnectionsPerSecondPerIp, headerTimeout, publishPerSecondPerApp, cluster,
                    topics, demo, adminToken);
        }

        private static void check(String key, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(key + ": " + value + " (expected: " + min + " to " + max + ")");
            }
        }
    }
}
