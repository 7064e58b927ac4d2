package dev.herald.redis;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Retention;
import dev.herald.core.Text;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The append path of a {@link RedisLog}: one {@code append.lua} run per batch, then a wait for the follower
 * (see {@link Acks}), and failures told apart by whether the batch may be stored.
 */
final class Appender {
    private final RedisLogOptions options;
    private final String server;
    private final Keys keys;
    private final String epoch;
    private final StatefulRedisConnection<String, String> connection;
    private final Acks acks;
    private final AtomicLong head;
    private final LogState state;
    private final AtomicInteger inFlight = new AtomicInteger();

    Appender(RedisLogOptions options, Keys keys, String epoch, StatefulRedisConnection<String, String> connection,
            Acks acks, AtomicLong head, LogState state) {
        this.options = options;
        this.server = options.server();
        this.keys = keys;
        this.epoch = epoch;
        this.connection = connection;
        this.acks = acks;
        this.head = head;
        this.state = state;
    }

    /** Appends under way: sent, or waiting for the follower. */
    int inFlight() {
        return inFlight.get();
    }

    CompletableFuture<List<Appended>> append(List<Draft> batch) {
        IllegalArgumentException bad = check(batch);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        // Counted before the look at `closed`: close() waits for every append that saw the log open.
        int under = inFlight.incrementAndGet();
        AppendException refusal = state.refusal();
        if (refusal == null && under > options.maxInFlight()) {
            refusal = new AppendException("too many appends under way on " + server + " (expected: at most "
                    + "maxInFlight " + options.maxInFlight() + "; retry later)", false, null);
        }
        if (refusal != null || batch.isEmpty()) {
            inFlight.decrementAndGet();
            return refusal != null ? CompletableFuture.failedFuture(refusal)
                    : CompletableFuture.completedFuture(List.of());
        }
        long now = options.clock().getAsLong();
        String[] k = keys.writing(batch.size());
        String[] args = new String[3 + 6 * batch.size()];
        args[0] = epoch;
        args[1] = Long.toString(now);
        args[2] = Long.toString(head.get());
        for (int i = 0; i < batch.size(); i++) {
            Draft d = batch.get(i);
            Retention r = options.retention().forTopic(d.topic());
            k[7 + i] = keys.topic(d.topic());
            int a = 3 + 6 * i;
            args[a] = d.topic().name();
            args[a + 1] = d.event();
            args[a + 2] = d.data();
            args[a + 3] = d.key();
            args[a + 4] = Integer.toString(r.maxCount());
            args[a + 5] = Long.toString(r.maxAge().toMillis());
        }
        CompletableFuture<List<Object>> reply;
        try {
            reply = Script.APPEND.run(connection.async(), k, args);
        } catch (RedisException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<List<Appended>> result = new CompletableFuture<>();
        reply.thenCompose(r -> acknowledge(batch, r, now)).whenComplete((appended, failure) -> {
            inFlight.decrementAndGet();
            if (failure == null) {
                state.answered(true);
                result.complete(appended);
            } else {
                result.completeExceptionally(translate(failure));
            }
        });
        return result;
    }

    private CompletableFuture<List<Appended>> acknowledge(List<Draft> batch, List<Object> reply, long now) {
        List<Appended> appended = new ArrayList<>(batch.size());
        long last = 0;
        for (int i = 0; i < batch.size(); i++) {
            Object r = reply.get(i);
            if (r instanceof Long offset) {
                appended.add(new Appended(batch.get(i).toMessage(offset, now), false));
                last = Math.max(last, offset);
            } else {
                List<?> held = (List<?>) r; // ['s', offset, fields]
                long offset = Long.parseLong((String) held.get(1));
                appended.add(new Appended(Entries.fromFields(offset, (List<?>) held.get(2)), true));
            }
        }
        List<Appended> done = Collections.unmodifiableList(appended);
        if (last == 0) {
            return CompletableFuture.completedFuture(done);
        }
        head.accumulateAndGet(last, Math::max);
        return acks.after(last, done);
    }

    private IllegalArgumentException check(List<Draft> batch) {
        if (batch.size() > options.maxBatch()) {
            return new IllegalArgumentException("drafts: " + batch.size() + " (expected: at most maxBatch "
                    + options.maxBatch() + " per append)");
        }
        for (int i = 0; i < batch.size(); i++) {
            Draft d = batch.get(i);
            String bad = !Text.isWellFormed(d.data()) ? "data" : !Text.isWellFormed(d.event()) ? "event"
                    : !Text.isWellFormed(d.key()) ? "key" : null;
            if (bad != null) {
                return new IllegalArgumentException(bad + " of draft " + i
                        + ": contains an unpaired surrogate (expected: text that UTF-8 can encode)");
            }
        }
        return null;
    }

    private AppendException translate(Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (e instanceof AppendException a) {
            return a;
        }
        String message = String.valueOf(e.getMessage());
        if (e instanceof RedisCommandExecutionException) {
            // The script refuses before its first write: nothing was stored.
            if (message.contains("HERALD_EPOCH")) {
                state.lost("the log's epoch " + epoch + " is no longer stored on " + server + " (Redis holds '"
                        + message.substring(message.indexOf("HERALD_EPOCH") + 13).trim() + "')");
                return state.refusal();
            }
            if (message.contains("HERALD_BEHIND")) {
                state.lost("the log on " + server + " went back below offset " + head.get()
                        + " (Redis restored from an older snapshot?)");
                return state.refusal();
            }
            return new AppendException("Redis at " + server + " refused the append, nothing was stored: "
                    + message, false, e);
        }
        if (e instanceof RedisCommandTimeoutException) {
            state.answered(false);
            return new AppendException("Redis at " + server + " did not answer within "
                    + options.commandTimeout() + "; the append may be stored", true, e);
        }
        if (message.startsWith("Currently not connected")) {
            return new AppendException("Redis at " + server + " is unreachable (reconnecting); nothing was "
                    + "stored", false, e);
        }
        return new AppendException("connection to Redis at " + server + " failed while the append was under "
                + "way; it may be stored: " + message, true, e);
    }
}
