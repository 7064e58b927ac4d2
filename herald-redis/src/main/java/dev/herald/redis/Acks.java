package dev.herald.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends that Redis has stored, waiting for this node's follower to read past them: an append completes
 * only once the listener has been told of its messages. Thread-safe.
 *
 * <p>A waiter that the follower does not release within the grace (the follower cannot read, Redis went away
 * after storing the batch) completes all the same: the batch is stored, only the listener is late.
 */
final class Acks {
    private static final Logger log = LoggerFactory.getLogger(Acks.class);

    private record Waiter<T>(long offset, long deadline, T value, CompletableFuture<T> future) {
        void complete() {
            future.complete(value);
        }
    }

    private final long graceNanos;
    private final PriorityQueue<Waiter<?>> waiting = new PriorityQueue<>((a, b) -> Long.compare(a.offset, b.offset));
    private long passed; // guarded by this

    Acks(long passed, long graceNanos) {
        this.passed = passed;
        this.graceNanos = graceNanos;
    }

    /** A future that completes with {@code value} once the follower has passed {@code offset}. */
    <T> CompletableFuture<T> after(long offset, T value) {
        CompletableFuture<T> future = new CompletableFuture<>();
        synchronized (this) {
            if (offset > passed) {
                waiting.add(new Waiter<>(offset, System.nanoTime() + graceNanos, value, future));
                return future;
            }
        }
        future.complete(value);
        return future;
    }

    /** The follower has told the listener of everything up to {@code offset}. */
    void passed(long offset) {
        List<Waiter<?>> done;
        synchronized (this) {
            if (offset <= passed) {
                return;
            }
            passed = offset;
            if (waiting.isEmpty() || waiting.peek().offset > offset) {
                return;
            }
            done = new ArrayList<>();
            while (!waiting.isEmpty() && waiting.peek().offset <= offset) {
                done.add(waiting.poll());
            }
        }
        done.forEach(Waiter::complete); // outside the lock: callers' stages run here
    }

    /** Completes the waiters past their grace. */
    void expire() {
        long now = System.nanoTime();
        List<Waiter<?>> late = new ArrayList<>();
        synchronized (this) {
            waiting.removeIf(w -> now - w.deadline >= 0 && late.add(w));
        }
        if (!late.isEmpty()) {
            log.warn("{} stored appends completed before this node's follower read them (it has passed {}): "
                    + "local subscribers get them when it catches up", late.size(), passedOffset());
            late.forEach(Waiter::complete);
        }
    }

    /** Completes every waiter: they are stored. */
    void releaseAll() {
        List<Waiter<?>> all;
        synchronized (this) {
            all = new ArrayList<>(waiting);
            waiting.clear();
        }
        all.forEach(Waiter::complete);
    }

    /** Fails every waiter: Redis lost what it had stored. */
    void failAll(RuntimeException cause) {
        List<Waiter<?>> all;
        synchronized (this) {
            all = new ArrayList<>(waiting);
            waiting.clear();
        }
        all.forEach(w -> w.future.completeExceptionally(cause));
    }

    synchronized long passedOffset() {
        return passed;
    }

    synchronized int size() {
        return waiting.size();
    }
}
