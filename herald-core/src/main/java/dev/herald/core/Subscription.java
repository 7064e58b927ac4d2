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
 * memory beyond a page on its way (the one it stopped in, or the next one read ahead while catching up), and
 * falls behind only as far as retention allows (then it is told, through {@link Subscriber#onTruncated}).
 *
 * <p><b>Latest-value topics.</b> On the topics its {@code latestOnly} filter accepts (readings, prices: where only
 * the current value matters), a subscriber that is behind gets only the newest message of each topic instead of
 * the backlog. While it keeps up it gets every message, as on any topic. Behind means paused, or catching up
 * from a cursor:
 * <ul>
 *   <li>While paused, the subscription holds the newest live message of each latest-value topic (at most
 *       {@value LatestValues#HELD_TOPICS} topics) and the messages on other topics it missed, as long as they are
 *       few (at most {@value LatestValues#HELD_OTHERS}, of {@value LatestValues#HELD_OTHER_CHARS} characters of
 *       data in all). On resume it
 *       delivers them, in offset order, without reading the log; after more other messages than that, it reads
 *       the log from the first of them on. After a pause, a latest-value topic yields exactly its newest
 *       message.</li>
 *   <li>While catching up from the log, a latest-value message is left out when a newer one on its topic is
 *       held or follows in the same page: at most one per topic per page ({@value #PAGE} messages), the newest
 *       of the whole range once the catch-up reaches what arrived live.</li>
 * </ul>
 * Messages on the other topics are never left out, and everything is still delivered once, in offset order,
 * so a cursor keeps its meaning. {@code history=N} ({@link Start#last}) replays the last N messages as they
 * are, latest-value or not.
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
    private final LatestValues latest; // null without latest-value topics
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

    Subscription(Hub hub, List<Selector> selectors, Predicate<Topic> permitted, Predicate<Topic> latestOnly,
            Subscriber subscriber) {
        this.hub = hub;
        this.selectors = List.copyOf(selectors);
        this.permitted = permitted;
        this.latest = latestOnly == Hub.NO_TOPIC ? null : new LatestValues(latestOnly);
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
            if (latest != null) {
                latest.clear();
            }
        });
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Tells a paused subscription that its subscriber can take more. Call on the subscriber's executor. */
    public void resume() {
        if (mode == Mode.PAUSED && latest != null) {
            resumeFromHeld();
        } else if (mode == Mode.PAUSED) {
            catchUp();
        } else if (mode == Mode.CATCHING_UP && !reading) {
            readPage();
        }
    }

    void start(Start start) {
        run(() -> begin(start, false));
    }

    private void begin(Start start, boolean awaited) {
        if (cancelled) {
            return;
        }
        Log store = hub.log();
        long head = store.head();
        if (start instanceof Start.After after) {
            Cursor cursor = after.cursor();
            if (!awaited && cursor.epoch().equals(store.epoch()) && cursor.offset() > head) {
                // Maybe another node's cursor, ahead of what this node has heard of yet: wait until it has.
                store.awaitHead(cursor.offset()).whenComplete((done, failure) -> run(() -> {
                    if (failure != null) {
                        if (!cancelled) {
                            subscriber.onFailure(failure);
                        }
                    } else {
                        begin(start, true);
                    }
                }));
                return;
            }
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

    /**
     * Everything missed while paused passed through {@link #offer}: the newest message of each latest-value topic
     * is held, and the log is needed only from the first message on another topic, if any.
     */
    private void resumeFromHeld() {
        List<Message> others = new ArrayList<>();
        long other = latest.resume(others);
        if (other == 0) {
            // Everything missed is in hand: no read.
            mode = Mode.LIVE;
            deliver(others, true, true);
            if (mode == Mode.LIVE) {
                subscriber.onCaughtUp();
            }
            return;
        }
        // Held messages before that one are final: a newer message on their topic would have replaced them.
        // Between the position and it, every message was on a latest-value topic: the read may skip them.
        deliver(List.of(), other - 1, true, false);
        catchUp();
    }

    private void catchUp() {
        mode = Mode.CATCHING_UP;
        buffer.clear();
        overflowed = false;
        readPage();
    }

    private void readPage() {
        readPage(position);
    }

    private void readPage(long from) {
        overflowed = false;
        reading = true;
        if (from >= hub.log().head()) {
            // Nothing after from yet, and the subscription is indexed: what comes next arrives live (a log moves
            // its head before it fans out). A caught-up poll or reconnect reads nothing.
            History none = new History(List.of(), reportedTrim);
            run(() -> onPage(from, none));
            return;
        }
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
        List<Message> messages = page.messages();
        boolean more = messages.size() == PAGE || overflowed;
        if (more && subscriber.isWritable()) {
            // The next page is read while this one is written; the position is then past this page.
            readPage(messages.isEmpty() ? position : Math.max(position, messages.get(messages.size() - 1).offset()));
        }
        deliver(messages, true, false);
        if (more) {
            return; // the page under way reads on, or resume() does
        }
        List<Message> rest = new ArrayList<>(buffer.size());
        for (Message m : buffer) {
            if (m.offset() > position) {
                rest.add(m);
            }
        }
        buffer.clear();
        mode = Mode.LIVE;
        deliver(rest, true, true);
        if (mode == Mode.LIVE) {
            subscriber.onCaughtUp();
        }
    }

    /** Messages fanned out by the hub, in offset order. Runs on the executor. */
    void offer(List<Message> messages) {
        switch (mode) {
            case LIVE -> {
                // Batches that queued up arrive together: a subscriber that stops taking them midway pauses
                // there, at most a page past where it could take no more, as a catch-up does.
                for (int from = 0; from < messages.size() && mode == Mode.LIVE; from += PAGE) {
                    List<Message> slice = messages.subList(from, Math.min(messages.size(), from + PAGE));
                    if (subscriber.isWritable()) {
                        deliver(slice);
                    } else {
                        mode = Mode.PAUSED;
                        if (latest != null) {
                            latest.paused(messages.subList(from, messages.size()));
                        }
                    }
                }
            }
            case CATCHING_UP, STARTING -> {
                List<Message> others = latest != null ? latest.hold(messages) : messages;
                if (overflowed || others.isEmpty()) {
                    return;
                }
                if (buffer.size() + others.size() > BUFFER) {
                    overflowed = true;
                    buffer.clear();
                } else {
                    buffer.addAll(others);
                }
            }
            case PAUSED -> {
                // The log has them; resume() reads them from there, or takes the held ones.
                if (latest != null) {
                    latest.missed(messages);
                }
            }
            case CLOSED -> {
            }
        }
    }

    private void deliver(List<Message> messages) {
        deliver(messages, false, false);
    }

    /**
     * @param behind whether the subscriber is catching up: superseded latest-value messages are left out, and
     *     held ones up to the position reached are delivered
     * @param drain whether every held message is due (the catch-up is over)
     */
    private void deliver(List<Message> messages, boolean behind, boolean drain) {
        long reached = messages.isEmpty() ? position : messages.get(messages.size() - 1).offset();
        deliver(messages, reached, behind, drain);
    }

    /** Delivers what is new in {@code messages}, and held messages up to {@code through}; returns the position. */
    private long deliver(List<Message> messages, long through, boolean behind, boolean drain) {
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
        if (mode == Mode.CLOSED || cancelled) {
            return position;
        }
        if (behind && latest != null) {
            long reached = Math.max(through, position);
            fresh = latest.compact(fresh, position, reached, drain);
            // Past what was left out too: a page of superseded messages must not be read again.
            position = reached;
        }
        if (fresh.isEmpty()) {
            return position;
        }
        // The position passes messages the subscriber may not see too, or a page of them would be read forever;
        // and the latest-value messages left out, which a newer one superseded.
        position = Math.max(Math.max(position, through), fresh.get(fresh.size() - 1).offset());
        if (permitted != Hub.EVERY_TOPIC) {
            fresh = fresh.stream().filter(m -> permitted.test(m.topic())).toList();
            if (fresh.isEmpty()) {
                return position;
            }
        }
        try {
            subscriber.onMessages(fresh);
        } catch (RuntimeException e) {
            log.error("subscriber failed to take {} messages; cancelling its subscription", fresh.size(), e);
            cancel();
        }
        return position;
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
