package dev.herald.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber's interest in a set of selectors, and the state machine that moves it from history to live
 * delivery with no gap and no duplicate.
 *
 * <p>How: the subscription is added to the hub's index <em>before</em> it reads the log, and buffers what
 * arrives live while it reads. Every message fanned out is already in the log, so a message is either in a
 * page read after the subscription was added, or arrives live after the read began, or both; offsets drop the
 * doubles. A read that returns a short page ends the catch-up: the buffer is drained past the last offset
 * delivered and the subscription goes live. When the buffer outgrows its bound, it is dropped and the
 * subscription just reads on from the log: the log holds everything the buffer did.
 *
 * <p>While the subscriber cannot take more, live messages are not queued: the subscription pauses and, when
 * {@link #resume()} is called, catches up from the log where it stopped. A slow subscriber therefore costs no
 * memory, and falls behind only as far as retention allows (then it is told, through
 * {@link Subscriber#onTruncated}).
 *
 * <p>All state is confined to the subscriber's executor; only {@link #cancel()} may be called from anywhere.
 */
public final class Subscription {
    private static final Logger log = LoggerFactory.getLogger(Subscription.class);

    /** Messages read from the log per page while catching up. */
    static final int PAGE = 512;
    /** Live messages held while a catch-up read is under way, before the buffer is dropped. */
    static final int BUFFER = 4096;

    private enum Mode { STARTING, CATCHING_UP, LIVE, PAUSED, CLOSED }

    private final Hub hub;
    private final List<Selector> selectors;
    private final Subscriber subscriber;
    private final Predicate<Topic> permitted;
    private final Executor executor;

    private final ArrayDeque<Message> buffer = new ArrayDeque<>();
    private Mode mode = Mode.STARTING;
    private long position;
    private long reportedTrim;
    private boolean overflowed;
    private boolean reading;
    private boolean gapReported; // told at the start; the first page's trim is that same gap
    private volatile boolean cancelled;
    boolean indexed; // guarded by this; see Hub.add

    Subscription(Hub hub, List<Selector> selectors, Predicate<Topic> permitted, Subscriber subscriber) {
        this.hub = hub;
        this.selectors = List.copyOf(selectors);
        this.permitted = permitted;
        this.subscriber = subscriber;
        this.executor = subscriber.executor();
    }

    public List<Selector> selectors() {
        return selectors;
    }

    /** The offset of the last message delivered; read it only on the subscriber's executor. */
    public long position() {
        return position;
    }

    Executor executor() {
        return executor;
    }

    /** Ends the subscription; no callback runs after the one under way. Safe from any thread, idempotent. */
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        hub.remove(this);
        run(() -> {
            mode = Mode.CLOSED;
            buffer.clear();
        });
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Tells a paused subscription that its subscriber can take more. Call on the subscriber's executor. */
    public void resume() {
        if (mode == Mode.PAUSED) {
            catchUp();
        } else if (mode == Mode.CATCHING_UP && !reading) {
            readPage();
        }
    }

    void start(Start start) {
        run(() -> begin(start));
    }

    private void begin(Start start) {
        if (cancelled) {
            return;
        }
        Log store = hub.log();
        long head = store.head();
        if (start instanceof Start.After after) {
            Cursor cursor = after.cursor();
            if (!cursor.epoch().equals(store.epoch())) {
                // Another incarnation of the store: its offsets mean nothing here.
                subscriber.onTruncated(cursor);
                position = 0;
                gapReported = true;
            } else if (cursor.offset() > head) {
                // Ahead of this log: it lost what the client saw (a store restored from backup). Go on from now.
                subscriber.onTruncated(cursor);
                position = head;
            } else {
                position = cursor.offset();
            }
        } else {
            position = head;
        }
        hub.add(this);
        subscriber.onStart(new Cursor(store.epoch(), position));
        if (start instanceof Start.Last last) {
            mode = Mode.CATCHING_UP;
            reading = true;
            read(() -> store.last(selectors, last.count()), this::onLast);
        } else {
            catchUp();
        }
    }

    private void onLast(List<Message> newest) {
        reading = false;
        if (mode == Mode.CLOSED) {
            return;
        }
        if (!newest.isEmpty()) {
            position = newest.get(0).offset() - 1;
            deliver(newest);
        }
        readPage();
    }

    private void catchUp() {
        mode = Mode.CATCHING_UP;
        buffer.clear();
        overflowed = false;
        readPage();
    }

    private void readPage() {
        long from = position;
        overflowed = false;
        reading = true;
        read(() -> hub.log().read(selectors, from, PAGE), page -> onPage(from, page));
    }

    private void onPage(long from, History page) {
        reading = false;
        if (mode == Mode.CLOSED) {
            return;
        }
        if (gapReported) {
            gapReported = false;
            reportedTrim = page.trimmedThrough();
        } else if (page.isTruncatedAfter(from) && page.trimmedThrough() > reportedTrim) {
            reportedTrim = page.trimmedThrough();
            subscriber.onTruncated(new Cursor(hub.log().epoch(), from));
        }
        deliver(page.messages());
        if (page.messages().size() == PAGE || overflowed) {
            if (subscriber.isWritable()) {
                readPage();
            }
            return; // resume() reads on
        }
        List<Message> rest = new ArrayList<>(buffer.size());
        for (Message m : buffer) {
            if (m.offset() > position) {
                rest.add(m);
            }
        }
        buffer.clear();
        mode = Mode.LIVE;
        deliver(rest);
        if (mode == Mode.LIVE) {
            subscriber.onCaughtUp();
        }
    }

    /** Messages fanned out by the hub, in offset order. Runs on the executor. */
    void offer(List<Message> messages) {
        switch (mode) {
            case LIVE -> {
                if (subscriber.isWritable()) {
                    deliver(messages);
                } else {
                    mode = Mode.PAUSED;
                }
            }
            case CATCHING_UP, STARTING -> {
                if (overflowed) {
                    return;
                }
                if (buffer.size() + messages.size() > BUFFER) {
                    overflowed = true;
                    buffer.clear();
                } else {
                    buffer.addAll(messages);
                }
            }
            case PAUSED, CLOSED -> {
                // PAUSED: the log has them; resume() reads them from there.
            }
        }
    }

    private void deliver(List<Message> messages) {
        List<Message> fresh = messages;
        int skip = 0;
        while (skip < messages.size() && messages.get(skip).offset() <= position) {
            skip++;
        }
        if (skip > 0) {
            fresh = new ArrayList<>(messages.size() - skip);
            for (int i = skip; i < messages.size(); i++) {
                if (messages.get(i).offset() > position) {
                    fresh.add(messages.get(i));
                }
            }
        }
        // A fan-out queued on the executor before a cancel must not reach the subscriber after it.
        if (fresh.isEmpty() || mode == Mode.CLOSED || cancelled) {
            return;
        }
        // The position passes messages the subscriber may not see too, or a page of them would be read forever.
        position = fresh.get(fresh.size() - 1).offset();
        if (permitted != Hub.EVERY_TOPIC) {
            fresh = fresh.stream().filter(m -> permitted.test(m.topic())).toList();
            if (fresh.isEmpty()) {
                return;
            }
        }
        try {
            subscriber.onMessages(fresh);
        } catch (RuntimeException e) {
            log.error("subscriber failed to take {} messages; cancelling its subscription", fresh.size(), e);
            cancel();
        }
    }

    private <T> void read(Supplier<T> query, Consumer<T> then) {
        try {
            hub.reader().execute(() -> {
                if (cancelled) {
                    return;
                }
                T result;
                try {
                    result = query.get();
                } catch (RuntimeException e) {
                    run(() -> fail(e));
                    return;
                }
                run(() -> then.accept(result));
            });
        } catch (RejectedExecutionException e) {
            fail(e);
        }
    }

    private void fail(Throwable cause) {
        if (mode == Mode.CLOSED) {
            return;
        }
        cancel();
        mode = Mode.CLOSED;
        try {
            subscriber.onFailure(cause);
        } catch (RuntimeException e) {
            log.error("subscriber failed while being told of a failure", e);
        }
    }

    private void run(Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("subscription callback failed", e);
                    cancel();
                }
            });
        } catch (RejectedExecutionException e) {
            // The subscriber's executor is shutting down: so is the subscriber.
            cancelled = true;
            hub.remove(this);
        }
    }
}
