package dev.herald.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriptions of one executor (an event loop) and the live batches on their way to it.
 *
 * <p>The log's listener only queues each stored batch here, and schedules one drain if none is scheduled; the
 * executor then matches topics to its own subscriptions and hands each its share. So fan-out costs the log's
 * thread a queue offer per executor, not a lookup per subscriber, and runs on all executors at once. Batches
 * that queue up while the executor is busy are drained together: under load, each subscriber gets fewer,
 * larger writes (one flush per drain), which is what keeps a busy server's latency flat.
 */
final class Lane {
    private static final Logger log = LoggerFactory.getLogger(Lane.class);

    private final Executor executor;
    private final SubscriptionIndex index = new SubscriptionIndex();
    private final ConcurrentLinkedQueue<List<Message>> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private int subscriptions; // guarded by the hub's lock

    Lane(Executor executor) {
        this.executor = executor;
    }

    SubscriptionIndex index() {
        return index;
    }

    int subscriptions() {
        return subscriptions;
    }

    void added() {
        subscriptions++;
    }

    void removed() {
        subscriptions--;
    }

    /** Queues a stored batch, in offset order; called by the log's listener, one caller at a time. */
    void offer(List<Message> batch) {
        pending.add(batch);
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                pending.clear();
                scheduled.set(false);
                log.debug("executor shut down; its subscriptions miss live messages");
            }
        }
    }

    private void drain() {
        // Cleared before taking: a batch queued from here on schedules another drain.
        scheduled.set(false);
        List<Message> first = pending.poll();
        if (first == null) {
            return;
        }
        List<Message> next = pending.poll();
        List<Message> messages = first;
        if (next != null) {
            messages = new ArrayList<>(first);
            for (; next != null; next = pending.poll()) {
                messages.addAll(next);
            }
        }
        if (messages.size() == 1) {
            Message only = messages.get(0);
            List<Message> one = List.of(only);
            Set<Subscription> several = new HashSet<>(); // those with several selectors may match it twice
            index.collect(only.topic(), subscription -> {
                if (subscription.selectors().size() == 1 || several.add(subscription)) {
                    subscription.offer(one);
                }
            });
            return;
        }
        Map<Subscription, List<Message>> shares = new LinkedHashMap<>();
        for (Message message : messages) {
            index.collect(message.topic(), subscription -> {
                List<Message> share = shares.computeIfAbsent(subscription, s -> new ArrayList<>());
                if (share.isEmpty() || share.get(share.size() - 1) != message) {
                    share.add(message);
                }
            });
        }
        shares.forEach(Subscription::offer);
    }
}
