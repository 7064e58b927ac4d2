package dev.herald.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.herald.core.Epochs;
import dev.herald.core.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.RocksObject;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The open RocksDB database of one log: its column families and the native objects it owns.
 *
 * <p>Reads go through {@link #read}, which holds the store open for their duration; {@link #close()} waits for
 * them and then releases every native object. Only the writer thread writes.
 */
final class RocksStore implements AutoCloseable {
    /** A read of the database. */
    interface Read<T> {
        T run() throws RocksDBException;
    }

    private static final long CACHE_BYTES = 32L << 20;
    private static final long MAX_WAL_BYTES = 64L << 20;

    final Path dir;
    final RocksDB db;
    final ColumnFamilyHandle meta;
    final ColumnFamilyHandle messages;
    final ColumnFamilyHandle topics;
    final ColumnFamilyHandle keys;
    final WriteOptions writeOptions;

    // Closed in reverse order of creation, after the database.
    private final List<RocksObject> owned;
    private final List<ColumnFamilyHandle> handles;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed; // guarded by lifecycle

    private RocksStore(Path dir, RocksDB db, List<ColumnFamilyHandle> handles, WriteOptions writeOptions,
            List<RocksObject> owned) {
        this.dir = dir;
        this.db = db;
        this.handles = handles;
        this.meta = handles.get(0);
        this.messages = handles.get(1);
        this.topics = handles.get(2);
        this.keys = handles.get(3);
        this.writeOptions = writeOptions;
        this.owned = owned;
    }

    static RocksStore open(Path dir, SyncPolicy sync) throws IOException {
        RocksDB.loadLibrary();
        Files.createDirectories(dir);
        List<RocksObject> owned = new ArrayList<>();
        try {
            LRUCache cache = own(owned, new LRUCache(CACHE_BYTES));
            ColumnFamilyOptions plain = own(owned, columnFamily(cache, null, CompressionType.NO_COMPRESSION));
            // Point lookups (idempotency keys, messages by offset) mostly ask for what is there or, for new keys,
            // for what is not: a bloom filter answers the misses without reading a block.
            ColumnFamilyOptions messageOptions = own(owned,
                    columnFamily(cache, own(owned, new BloomFilter(10)), CompressionType.LZ4_COMPRESSION));
            ColumnFamilyOptions keyOptions = own(owned,
                    columnFamily(cache, own(owned, new BloomFilter(10)), CompressionType.NO_COMPRESSION));
            ColumnFamilyOptions topicOptions = own(owned, columnFamily(cache, null, CompressionType.LZ4_COMPRESSION));
            DBOptions options = own(owned, new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                    .setKeepLogFileNum(4)
                    // The small column families would otherwise keep old WAL files alive until they flush.
                    .setMaxTotalWalSize(MAX_WAL_BYTES));
            WriteOptions writeOptions = own(owned, new WriteOptions().setSync(sync == SyncPolicy.GROUP));
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, plain),
                    new ColumnFamilyDescriptor(Layout.utf8(Layout.MESSAGES), messageOptions),
                    new ColumnFamilyDescriptor(Layout.utf8(Layout.TOPICS), topicOptions),
                    new ColumnFamilyDescriptor(Layout.utf8(Layout.KEYS), keyOptions));
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles);
            return new RocksStore(dir, db, handles, writeOptions, owned);
        } catch (RocksDBException e) {
            closeAll(owned);
            throw new IOException("cannot open the log in " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            closeAll(owned);
            throw e;
        }
    }

    private static ColumnFamilyOptions columnFamily(LRUCache cache, BloomFilter filter, CompressionType compression) {
        BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(cache);
        if (filter != null) {
            table.setFilterPolicy(filter);
        }
        return new ColumnFamilyOptions().setTableFormatConfig(table).setCompressionType(compression);
    }

    private static <T extends RocksObject> T own(List<RocksObject> owned, T object) {
        owned.add(object);
        return object;
    }

    /** Reads from the open store; fails with {@link IllegalStateException} once it is closed. */
    <T> T read(Read<T> read) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("log closed: " + dir);
            }
            return read.run();
        } catch (RocksDBException e) {
            throw failure("log read failed in " + dir, e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Reads the meta data and every topic index entry into a new catalog; gives a new store its epoch. Returns
     * the epoch.
     */
    String loadCatalog(Catalog catalog) throws IOException {
        try {
            byte[] format = db.get(meta, Layout.META_FORMAT);
            byte[] epoch = db.get(meta, Layout.META_EPOCH);
            if (format != null && (format.length != 1 || format[0] != Layout.FORMAT)) {
                throw new IOException("dataDir: " + dir + " holds a log of format "
                        + (format.length == 1 ? format[0] : Arrays.toString(format))
                        + " (expected: " + Layout.FORMAT + "; was it written by a newer Herald?)");
            }
            if (epoch == null) {
                epoch = Layout.utf8(Epochs.next());
                try (WriteBatch batch = new WriteBatch(); WriteOptions synced = new WriteOptions().setSync(true)) {
                    batch.put(meta, Layout.META_FORMAT, new byte[] {Layout.FORMAT});
                    batch.put(meta, Layout.META_EPOCH, epoch);
                    db.write(synced, batch);
                }
            }
            long head = 0;
            byte[] storedHead = db.get(meta, Layout.META_HEAD);
            if (storedHead != null) {
                head = Layout.getLong(storedHead, 0);
            }
            try (RocksIterator it = db.newIterator(meta)) {
                for (it.seek(Layout.META_TRIM_PREFIX); it.isValid() && Layout.isTrimKey(it.key()); it.next()) {
                    long mark = Layout.getLong(it.value(), 0);
                    catalog.marks.trimmed(Topic.of(Layout.topicOfTrimKey(it.key())), mark);
                    head = Math.max(head, mark);
                }
                it.status();
            }
            try (RocksIterator it = db.newIterator(messages)) {
                it.seekToLast();
                if (it.isValid()) {
                    head = Math.max(head, Layout.offsetOf(it.key()));
                }
                it.status();
            }
            loadTopics(catalog);
            catalog.publish(head);
            return new String(epoch, UTF_8);
        } catch (RocksDBException e) {
            throw new IOException("cannot read the log in " + dir + ": " + e.getMessage(), e);
        }
    }

    // One pass over the topic index: per topic, its first entry is its oldest message.
    private void loadTopics(Catalog catalog) throws RocksDBException {
        try (RocksIterator it = db.newIterator(topics)) {
            byte[] name = null;
            long count = 0;
            long oldest = 0;
            long oldestTime = 0;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (name == null || !Layout.isTopicKeyOf(key, name)) {
                    if (name != null) {
                        catalog.add(new TopicState(topicOf(name), name, count, oldest, oldestTime));
                    }
                    name = Layout.topicNameOf(key);
                    count = 0;
                    oldest = Layout.offsetOfTopicKey(key);
                    oldestTime = Layout.timeOfTopicValue(it.value());
                }
                count++;
            }
            it.status();
            if (name != null) {
                catalog.add(new TopicState(topicOf(name), name, count, oldest, oldestTime));
            }
        }
    }

    private static Topic topicOf(byte[] name) {
        return Topic.of(new String(name, UTF_8));
    }

    /** Flushes every memtable to table files and compacts them: for tests that read from table files. */
    void compact() {
        read(() -> {
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                db.flush(flush, handles);
            }
            for (ColumnFamilyHandle handle : handles) {
                db.compactRange(handle);
            }
            return null;
        });
    }

    /** Syncs the WAL to disk; writer thread only. */
    void syncWal() throws RocksDBException {
        db.flushWal(true);
    }

    /** Waits for reads under way, then releases the database and every native object. Idempotent. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            handles.forEach(ColumnFamilyHandle::close);
            try {
                db.closeE();
            } catch (RocksDBException e) {
                throw failure("closing the log in " + dir + " failed", e);
            } finally {
                closeAll(owned);
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    static UncheckedIOException failure(String what, RocksDBException e) {
        return new UncheckedIOException(new IOException(what + ": " + e.getMessage(), e));
    }

    private static void closeAll(List<RocksObject> owned) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
    }
}
