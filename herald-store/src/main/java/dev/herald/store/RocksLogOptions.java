package dev.herald.store;

import static java.util.Objects.requireNonNull;

import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * How a {@link RocksLog} is opened. Immutable; made by {@link #builder(Path)}, which checks every value.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code dataDir}</td><td>(required)</td><td>the directory that holds the database; created if
 *       missing; one open log per directory</td></tr>
 *   <tr><td>{@code retention}</td><td>{@link Retention#DEFAULT} for every topic</td><td>how many messages, and
 *       how old, each topic keeps</td></tr>
 *   <tr><td>{@code clock}</td><td>{@code System::currentTimeMillis}</td><td>the time given to messages and
 *       used for age retention, in milliseconds since the epoch</td></tr>
 *   <tr><td>{@code sync}</td><td>{@link SyncPolicy#GROUP}</td><td>what an acknowledged append survives</td></tr>
 *   <tr><td>{@code maxBatch}</td><td>{@value #DEFAULT_MAX_BATCH}</td><td>the most drafts the writer puts into
 *       one group commit; an append with more forms a group of its own</td></tr>
 *   <tr><td>{@code queueCapacity}</td><td>{@value #DEFAULT_QUEUE_CAPACITY}</td><td>the most appends waiting for
 *       the writer; an append beyond it fails at once rather than wait</td></tr>
 * </table>
 */
public final class RocksLogOptions {
    public static final int DEFAULT_MAX_BATCH = 4096;
    public static final int MAX_MAX_BATCH = 1 << 20;
    public static final int DEFAULT_QUEUE_CAPACITY = 16384;
    public static final int MAX_QUEUE_CAPACITY = 1 << 20;

    private final Path dataDir;
    private final RetentionPolicy retention;
    private final LongSupplier clock;
    private final SyncPolicy sync;
    private final int maxBatch;
    private final int queueCapacity;

    private RocksLogOptions(Builder b) {
        this.dataDir = b.dataDir;
        this.retention = b.retention;
        this.clock = b.clock;
        this.sync = b.sync;
        this.maxBatch = b.maxBatch;
        this.queueCapacity = b.queueCapacity;
    }

    /** Options for a log in {@code dataDir}, with every other option at its default. */
    public static RocksLogOptions of(Path dataDir) {
        return builder(dataDir).build();
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder(dataDir).retention(retention).clock(clock).sync(sync).maxBatch(maxBatch)
                .queueCapacity(queueCapacity);
    }

    public Path dataDir() {
        return dataDir;
    }

    public RetentionPolicy retention() {
        return retention;
    }

    public LongSupplier clock() {
        return clock;
    }

    public SyncPolicy sync() {
        return sync;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public int queueCapacity() {
        return queueCapacity;
    }

    @Override
    public String toString() {
        return "RocksLogOptions{dataDir=" + dataDir + ", sync=" + sync + ", maxBatch=" + maxBatch
                + ", queueCapacity=" + queueCapacity + "}";
    }

    /** Builds {@link RocksLogOptions}; each setter checks its value and says what it expected. */
    public static final class Builder {
        private final Path dataDir;
        private RetentionPolicy retention = RetentionPolicy.of(Retention.DEFAULT);
        private LongSupplier clock = System::currentTimeMillis;
        private SyncPolicy sync = SyncPolicy.GROUP;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;

        private Builder(Path dataDir) {
            this.dataDir = requireNonNull(dataDir, "dataDir");
        }

        public Builder retention(RetentionPolicy retention) {
            this.retention = requireNonNull(retention, "retention");
            return this;
        }

        public Builder clock(LongSupplier clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        public Builder sync(SyncPolicy sync) {
            this.sync = requireNonNull(sync, "sync");
            return this;
        }

        public Builder maxBatch(int maxBatch) {
            if (maxBatch < 1 || maxBatch > MAX_MAX_BATCH) {
                throw new IllegalArgumentException(
                        "maxBatch: " + maxBatch + " (expected: 1 to " + MAX_MAX_BATCH + ")");
            }
            this.maxBatch = maxBatch;
            return this;
        }

        public Builder queueCapacity(int queueCapacity) {
            if (queueCapacity < 1 || queueCapacity > MAX_QUEUE_CAPACITY) {
                throw new IllegalArgumentException(
                        "queueCapacity: " + queueCapacity + " (expected: 1 to " + MAX_QUEUE_CAPACITY + ")");
            }
            this.queueCapacity = queueCapacity;
            return this;
        }

        public RocksLogOptions build() {
            return new RocksLogOptions(this);
        }
    }
}
