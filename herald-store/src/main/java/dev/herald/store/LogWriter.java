package dev.herald.store;

import static java.util.Objects.requireNonNull;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Message;
import dev.herald.core.RetentionPolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes the log. It takes the appends waiting in a bounded queue, as many as fit in
 * {@code maxBatch} drafts, and commits them as one {@link Group}: one write, one sync. Then it publishes the new
 * state, tells the listener of the stored messages, and completes the appends' futures, in that order.
 *
 * <p>Age retention runs on this thread too: with the first group at least a second (of the log's clock) after
 * the last run, or when the queue has been idle for a second.
 *
 * <p>A failed write stops the log taking appends: the state on disk is then unknown until the log is opened
 * again. On close, the writer finishes what was queued, syncs the WAL and closes the store.
 */
final class LogWriter implements Runnable {
    static final String THREAD_NAME = "herald-log-writer";

    private static final Logger log = LoggerFactory.getLogger(LogWriter.class);
    private static final long EXPIRY_INTERVAL_MS = 1000;
    private static final long CLOSING_POLL_MS = 10;
    // Put into the queue by close() to end a wait; never appended.
    private static final PendingAppend WAKE = new PendingAppend(List.of(), new CompletableFuture<>());

    private final RocksStore store;
    private final Catalog catalog;
    private final RetentionPolicy retention;
    private final LongSupplier clock;
    private final int maxBatch;
    private final int capacity;
    private final BlockingQueue<PendingAppend> queue;
    private final Thread thread;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    // Callers inside submit(): the writer ends only when none is, so no append is queued after its last look.
    private final AtomicInteger submitting = new AtomicInteger();
    private volatile boolean closed;
    private volatile Exception failure;
    private volatile Consumer<List<Message>> listener = m -> { };

    private long lastExpiry; // writer thread only

    LogWriter(RocksStore store, Catalog catalog, RocksLogOptions options) {
        this.store = store;
        this.catalog = catalog;
        this.retention = options.retention();
        this.clock = options.clock();
        this.maxBatch = options.maxBatch();
        this.capacity = options.queueCapacity();
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this, THREAD_NAME);
        // Acknowledged appends are durable without a clean close; a forgotten log must not keep the JVM alive.
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void listen(Consumer<List<Message>> listener) {
        this.listener = requireNonNull(listener, "listener");
    }

    boolean isWritable() {
        return !closed && failure == null;
    }

    /** Why an append now would fail, or {@code null} when it would not. */
    Exception refusal() {
        if (closed) {
            return new IllegalStateException("log closed: " + store.dir);
        }
        Exception f = failure;
        if (f != null) {
            return new IllegalStateException("log takes no more appends after a failed write: " + f.getMessage(), f);
        }
        return null;
    }

    /** Queues an append; never blocks. */
    CompletableFuture<List<Appended>> submit(List<Draft> drafts) {
        submitting.incrementAndGet();
        try {
            Exception refusal = refusal();
            if (refusal != null) {
                return CompletableFuture.failedFuture(refusal);
            }
            PendingAppend append = new PendingAppend(drafts, new CompletableFuture<>());
            if (!queue.offer(append)) {
                return CompletableFuture.failedFuture(new IllegalStateException("log writer queue is full: "
                        + capacity + " appends waiting (expected: the writer to keep up; retry later)"));
            }
            return append.future();
        } finally {
            submitting.decrementAndGet();
        }
    }

    /** Stops taking appends and, unless called by the writer itself, waits until the queued ones are done. */
    void close() {
        closed = true;
        queue.offer(WAKE); // if the queue is full, the writer is not waiting anyway
        if (Thread.currentThread() != thread) {
            terminated.join();
        }
    }

    @Override
    public void run() {
        try {
            // submitting is read before the queue: an append that saw the log open was queued before it left.
            while (!(closed && submitting.get() == 0 && queue.isEmpty())) {
                PendingAppend first;
                try {
                    first = queue.poll(closed ? CLOSING_POLL_MS : EXPIRY_INTERVAL_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    log.warn("{} interrupted; it stops only when the log is closed", THREAD_NAME);
                    continue;
                }
                commit(gather(first));
            }
        } catch (Error e) {
            failure = new IllegalStateException("log writer died: " + e, e);
            log.error("{} died; the log takes no more appends", THREAD_NAME, e);
            throw e;
        } finally {
            shutDown();
        }
    }

    // The first append and those behind it, while the drafts fit in maxBatch; an oversized append goes alone.
    private List<PendingAppend> gather(PendingAppend first) {
        List<PendingAppend> group = new ArrayList<>();
        int drafts = 0;
        for (PendingAppend p = first; p != null; ) {
            if (p != WAKE) {
                group.add(p);
                drafts += p.drafts().size();
            }
            PendingAppend next = queue.peek();
            if (next == null || next != WAKE && !group.isEmpty() && drafts + next.drafts().size() > maxBatch) {
                break;
            }
            p = queue.poll(); // this thread alone takes from the queue: the element peeked
        }
        return group;
    }

    private void commit(List<PendingAppend> appends) {
        if (failure != null) {
            Exception refusal = refusal();
            appends.forEach(a -> a.future().completeExceptionally(refusal));
            return;
        }
        List<List<Appended>> results = new ArrayList<>(appends.size());
        List<Message> stored;
        try {
            long now = clock.getAsLong();
            boolean expire = now - lastExpiry >= EXPIRY_INTERVAL_MS;
            if (appends.isEmpty() && !expire) {
                return;
            }
            try (Group group = new Group(store, catalog, retention, now)) {
                if (expire) {
                    lastExpiry = now;
                    group.expire();
                }
                for (PendingAppend a : appends) {
                    results.add(group.add(a.drafts()));
                }
                group.finish();
                if (group.hasWrites()) {
                    group.markTrims();
                    group.write();
                }
                group.commit();
                stored = group.added();
            }
        } catch (RocksDBException | RuntimeException e) {
            failure = e;
            log.error("log write failed in {}; the log takes no more appends until it is opened again",
                    store.dir, e);
            IOException cause = new IOException("log write failed in " + store.dir + ": " + e.getMessage(), e);
            appends.forEach(a -> a.future().completeExceptionally(cause));
            return;
        }
        if (!stored.isEmpty()) {
            tell(stored);
        }
        for (int i = 0; i < appends.size(); i++) {
            appends.get(i).future().complete(results.get(i));
        }
    }

    private void tell(List<Message> stored) {
        try {
            listener.accept(stored);
        } catch (RuntimeException e) {
            log.error("log listener failed on {} messages from offset {}; the writer goes on", stored.size(),
                    stored.get(0).offset(), e);
        }
    }

    private void shutDown() {
        closed = true;
        IllegalStateException gone = new IllegalStateException("log closed before the append was written");
        for (PendingAppend p; (p = queue.poll()) != null; ) {
            if (p != WAKE) {
                p.future().completeExceptionally(gone);
            }
        }
        try {
            if (failure == null) {
                store.syncWal();
            }
        } catch (RocksDBException e) {
            log.warn("syncing the WAL on close of {} failed: {}", store.dir, e.getMessage());
        }
        try {
            store.close();
        } catch (RuntimeException e) {
            log.error("closing the log in {} failed", store.dir, e);
        } finally {
            terminated.complete(null);
        }
    }
}
