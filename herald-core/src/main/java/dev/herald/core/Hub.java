package dev.herald.core;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The subscription registry and local fan-out.
 *
 * <p>Publishing appends to the {@link Log}; the log tells the hub of each stored batch in offset order, and
 * the hub queues it to the {@link Lane} of each executor that has subscriptions. On its executor, a lane finds
 * its own subscribers of each message and hands each its share: one write and flush per subscriber per batch
 * (or per several batches, when they queue up), not one per message.
 *
 * <p>Latest-value topics (readings, prices) are the hub's or a subscription's choice: on them, a subscriber that
 * falls behind gets the newest message of each topic rather than the backlog; {@link Subscription} says how.
 */
public final class Hub {
    /** The filter of a subscription that may see every topic its selectors match. */
    public static final Predicate<Topic> EVERY_TOPIC = topic -> true;

    /** No topic is a latest-value topic: every subscriber gets every message. */
    public static final Predicate<Topic> NO_TOPIC = topic -> false;

    private final Log store;
    private final Executor reader;
    private final Predicate<Topic> latestValue;
    // Changed under their own lock; read without it by the log's listener.
    private final Map<Executor, Lane> lanes = new ConcurrentHashMap<>();
    private final AtomicInteger subscriptions = new AtomicInteger();

    /**
     * @param store the log; the hub becomes its listener
     * @param reader runs history reads, which may block
     */
    public Hub(Log store, Executor reader) {
        this(store, reader, NO_TOPIC);
    }

    /**
     * @param store the log; the hub becomes its listener
     * @param reader runs history reads, which may block
     * @param latestValue the latest-value topics of every subscription made without naming its own: on these, a
     *     subscriber that falls behind gets only the newest message of each topic (see {@link Subscription})
     */
    public Hub(Log store, Executor reader, Predicate<Topic> latestValue) {
        this.store = requireNonNull(store, "store");
        this.reader = requireNonNull(reader, "reader");
        this.latestValue = requireNonNull(latestValue, "latestValue");
        store.listen(this::fanOut);
    }

    /** Appends the drafts as one batch; completes once they are durable, after they were fanned out. */
    public CompletableFuture<List<Appended>> publish(List<Draft> drafts) {
        return store.append(drafts);
    }

    /**
     * Subscribes to every topic that one of {@code selectors} matches, from {@code start}. Callbacks begin on
     * the subscriber's executor.
     */
    public Subscription subscribe(Collection<Selector> selectors, Start start, Subscriber subscriber) {
        return subscribe(selectors, EVERY_TOPIC, start, subscriber);
    }

    /**
     * As {@link #subscribe(Collection, Start, Subscriber)}, delivering only messages whose topic
     * {@code permitted} accepts: what a wildcard may match beyond the subscriber's permissions never reaches
     * it, from history or live.
     */
    public Subscription subscribe(Collection<Selector> selectors, Predicate<Topic> permitted, Start start,
            Subscriber subscriber) {
        return subscribe(selectors, permitted, latestValue, start, subscriber);
    }

    /**
     * As {@link #subscribe(Collection, Predicate, Start, Subscriber)}, with this subscription's own latest-value
     * topics instead of the hub's: while the subscriber is behind, it gets only the newest message of each topic
     * {@code latestOnly} accepts ({@link #NO_TOPIC} for none), and every message of the others.
     */
    public Subscription subscribe(Collection<Selector> selectors, Predicate<Topic> permitted,
            Predicate<Topic> latestOnly, Start start, Subscriber subscriber) {
        requireNonNull(permitted, "permitted");
        requireNonNull(latestOnly, "latestOnly");
        requireNonNull(start, "start");
        requireNonNull(subscriber, "subscriber");
        if (selectors.isEmpty()) {
            throw new IllegalArgumentException("selectors: none (expected: at least one)");
        }
        Subscription subscription = new Subscription(this, List.copyOf(selectors), permitted, latestOnly,
                subscriber);
        subscription.start(start);
        return subscription;
    }

    /** The cursor that names {@code message}. */
    public Cursor cursorOf(Message message) {
        return new Cursor(store.epoch(), message.offset());
    }

    /** The cursor of the newest message: where a subscription from now begins. */
    public Cursor head() {
        return new Cursor(store.epoch(), store.head());
    }

    public Log log() {
        return store;
    }

    /** Subscriptions currently registered. */
    public int subscriptionCount() {
        return subscriptions.get();
    }

    /**
     * How many registered subscriptions name each selector, most first: what subscribers are watching. A
     * snapshot that may miss changes racing with it.
     */
    public Map<Selector, Integer> subscriptionsBySelector() {
        Map<String, Integer> total = new HashMap<>();
        lanes.values().forEach(lane -> lane.index().countInto(total));
        Map<Selector, Integer> sorted = new LinkedHashMap<>();
        total.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sorted.put(Selector.of(e.getKey()), e.getValue()));
        return sorted;
    }

    Executor reader() {
        return reader;
    }

    // Adding and removing lock the subscription, so that a cancel racing with the start leaves nothing behind,
    // and the lanes, so that a lane is dropped only when its last subscription goes.
    void add(Subscription subscription) {
        synchronized (subscription) {
            if (subscription.isCancelled() || subscription.indexed) {
                return;
            }
            subscription.indexed = true;
            synchronized (lanes) {
                Lane lane = lanes.computeIfAbsent(subscription.executor(), Lane::new);
                for (Selector selector : subscription.selectors()) {
                    lane.index().add(selector, subscription);
                }
                lane.added();
            }
        }
        subscriptions.incrementAndGet();
    }

    void remove(Subscription subscription) {
        synchronized (subscription) {
            if (!subscription.indexed) {
                return;
            }
            subscription.indexed = false;
            synchronized (lanes) {
                Lane lane = lanes.get(subscription.executor());
                for (Selector selector : subscription.selectors()) {
                    lane.index().remove(selector, subscription);
                }
                lane.removed();
                if (lane.subscriptions() == 0) {
                    lanes.remove(subscription.executor());
                }
            }
        }
        subscriptions.decrementAndGet();
    }

    private void fanOut(List<Message> messages) {
        lanes.values().forEach(lane -> lane.offer(messages));
    }
}
