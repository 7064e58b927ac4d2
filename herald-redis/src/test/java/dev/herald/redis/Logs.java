package dev.herald.redis;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Message;
import dev.herald.core.Selector;
import dev.herald.core.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** Helpers shared by the Redis tests: logs that close themselves, drafts, and waiting. */
final class Logs implements AutoCloseable {
    private static final AtomicInteger prefixes = new AtomicInteger();

    private final List<RedisLog> opened = new ArrayList<>();

    /** A prefix no other test uses, so an empty log. */
    static String freshPrefix(String name) {
        return name + "-" + prefixes.incrementAndGet() + ":";
    }

    RedisLog open(RedisLogOptions options) {
        try {
            RedisLog log = RedisLog.open(options);
            opened.add(log);
            return log;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        opened.forEach(RedisLog::close);
    }

    static Draft draft(String topic, String data) {
        return Draft.of(Topic.of(topic), data);
    }

    static Draft keyed(String topic, String data, String key) {
        return new Draft(Topic.of(topic), Message.DEFAULT_EVENT, data, key);
    }

    static List<Appended> append(RedisLog log, Draft... drafts) {
        return log.append(List.of(drafts)).orTimeout(10, TimeUnit.SECONDS).join();
    }

    static Set<Selector> sel(String... patterns) {
        Set<Selector> s = new java.util.LinkedHashSet<>();
        for (String p : patterns) {
            s.add(Selector.of(p));
        }
        return s;
    }

    static List<String> data(List<Message> messages) {
        return messages.stream().map(Message::data).toList();
    }

    /** Waits up to {@code seconds} for {@code condition}; returns whether it came true. */
    static boolean await(long seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
