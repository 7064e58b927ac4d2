package dev.herald.store;

import static java.util.Objects.requireNonNull;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.History;
import dev.herald.core.Log;
import dev.herald.core.Message;
import dev.herald.core.Selector;
import dev.herald.core.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The embedded durable {@link Log}: messages kept in a RocksDB database in one directory, surviving restarts,
 * with the same epoch until the directory is wiped.
 *
 * <h2>Writing</h2>
 * {@link #append} only queues (a bounded queue; when it is full the append fails at once with "log writer queue
 * is full"). One thread, {@code herald-log-writer}, takes the waiting appends, up to
 * {@link RocksLogOptions#maxBatch()} drafts at a time, and commits them as a group: it gives offsets (one
 * sequence across all topics), recognises duplicates by idempotency key, applies count and age retention,
 * and writes all of it as one RocksDB write batch, synced as {@link RocksLogOptions#sync()} says. A group gives
 * the same results as its drafts appended one by one; as one batch, it is stored whole or not at all, so an
 * append whose future fails stored none of its drafts. Once the write returned, the writer publishes the new
 * head, calls the {@linkplain #listen listener} once with the group's new messages in offset order, then
 * completes the futures. Futures complete on the writer thread: what depends on them should be quick, or
 * use an {@code *Async} stage. A failed write stops the log taking appends ({@link #isWritable()} turns false)
 * until it is opened again.
 *
 * <h2>Reading</h2>
 * {@link #read} and {@link #last} run on the caller's thread, from one RocksDB snapshot each, bounded by the
 * head seen when they began. They may block on disk: never call them on an event loop.
 *
 * <h2>On disk</h2>
 * Offsets and times are 8-byte big-endian; topics and keys are UTF-8; a topic name never contains 0x00.
 * <table>
 *   <caption>Column families</caption>
 *   <tr><th>column family</th><th>key</th><th>value</th></tr>
 *   <tr><td>{@code messages}</td><td>offset</td><td>format version (1), time, topic length (2 bytes), topic,
 *       event length (varint), event, key length (varint), key, data (the rest)</td></tr>
 *   <tr><td>{@code topics}</td><td>topic, 0x00, offset</td><td>time, idempotency key (empty if none): the
 *       per-topic index, for reads of few topics and for retention, which never reads the messages</td></tr>
 *   <tr><td>{@code keys}</td><td>topic, 0x00, idempotency key</td><td>offset of the message that holds it</td></tr>
 *   <tr><td>{@code default}</td><td>{@code format}<br>{@code epoch}<br>{@code head}<br>{@code trim/}topic</td>
 *       <td>1 (one byte)<br>the epoch, made on first open and kept<br>the newest offset given out, so that
 *       offsets keep growing even when retention removed every message<br>the highest offset retention removed
 *       from the topic</td></tr>
 * </table>
 * A message, its index entries, the trim marks and the head change in the same write batch. On open, the head
 * is the highest of the stored head, the last message and the trim marks, and one pass over the {@code topics}
 * index rebuilds each topic's count and oldest message (memory grows with the number of topics held, not with
 * the messages). A database of another format is refused.
 */
public final class RocksLog implements Log {
    private final RocksLogOptions options;
    private final RocksStore store;
    private final String epoch;
    private final Catalog catalog;
    private final LogWriter writer;
    private final LogReader reader;

    private RocksLog(RocksLogOptions options, RocksStore store, Catalog catalog, String epoch) {
        this.options = options;
        this.store = store;
        this.epoch = epoch;
        this.catalog = catalog;
        this.writer = new LogWriter(store, catalog, options);
        this.reader = new LogReader(store, catalog);
    }

    /**
     * Opens the log in {@link RocksLogOptions#dataDir()}, creating the directory and the database if missing.
     *
     * @throws IOException if the directory cannot be used: not a directory, in use by another open log, or
     *     holding a database this version cannot read
     */
    public static RocksLog open(RocksLogOptions options) throws IOException {
        requireNonNull(options, "options");
        Path dir = options.dataDir();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("dataDir: " + dir + " is not a directory (expected: a directory, or no file)");
        }
        RocksStore store = RocksStore.open(dir, options.sync());
        try {
            Catalog catalog = new Catalog();
            String epoch = store.loadCatalog(catalog);
            RocksLog log = new RocksLog(options, store, catalog, epoch);
            log.writer.start();
            return log;
        } catch (IOException | RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }

    /** Opens the log in {@code dataDir} with every other option at its default. */
    public static RocksLog open(Path dataDir) throws IOException {
        return open(RocksLogOptions.of(dataDir));
    }

    public RocksLogOptions options() {
        return options;
    }

    @Override
    public String epoch() {
        return epoch;
    }

    @Override
    public long head() {
        return catalog.head();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Never blocks. The future fails with {@link IllegalStateException} when the log is closed, has failed,
     * or its queue is full, and with {@link IllegalArgumentException} when a draft's event, data or key holds
     * an unpaired surrogate, which UTF-8 cannot keep.
     */
    @Override
    public CompletableFuture<List<Appended>> append(List<Draft> drafts) {
        List<Draft> batch = List.copyOf(requireNonNull(drafts, "drafts"));
        for (int i = 0; i < batch.size(); i++) {
            Draft d = batch.get(i);
            String bad = !Text.isWellFormed(d.data()) ? "data" : !Text.isWellFormed(d.event()) ? "event"
                    : !Text.isWellFormed(d.key()) ? "key" : null;
            if (bad != null) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(bad + " of draft " + i
                        + ": contains an unpaired surrogate (expected: text that UTF-8 can encode)"));
            }
        }
        if (batch.isEmpty()) {
            Exception refusal = writer.refusal();
            return refusal == null ? CompletableFuture.completedFuture(List.of())
                    : CompletableFuture.failedFuture(refusal);
        }
        return writer.submit(batch);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException once the log is closed
     * @throws java.io.UncheckedIOException when RocksDB fails to read
     */
    @Override
    public History read(Collection<Selector> selectors, long after, int limit) {
        return reader.read(requireNonNull(selectors, "selectors"), after, limit);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException once the log is closed
     * @throws java.io.UncheckedIOException when RocksDB fails to read
     */
    @Override
    public List<Message> last(Collection<Selector> selectors, int count) {
        return reader.last(requireNonNull(selectors, "selectors"), count);
    }

    /** {@inheritDoc} The listener runs on the writer thread; an exception it throws is logged and ignored. */
    @Override
    public void listen(Consumer<List<Message>> listener) {
        writer.listen(listener);
    }

    @Override
    public boolean isWritable() {
        return writer.isWritable();
    }

    /**
     * Stops taking appends, finishes the queued ones, syncs the WAL and closes the database; waits for reads
     * under way. Idempotent. Called from the listener, it returns at once and the writer closes after the group.
     */
    @Override
    public void close() {
        writer.close();
    }

    /** Moves everything from memory to table files: for tests of reads that go past the memtables. */
    void compact() {
        store.compact();
    }

    @Override
    public String toString() {
        return "RocksLog{" + options.dataDir() + ", epoch " + epoch + ", head " + head() + "}";
    }
}
