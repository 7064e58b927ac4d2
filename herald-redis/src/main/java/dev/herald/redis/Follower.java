package dev.herald.redis;

import dev.herald.core.Message;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that follows the shared stream on a connection of its own (XREAD BLOCK, from the last entry it
 * read) and hands each batch, in offset order, to the log: so every node hears of every message, whichever
 * node appended it.
 *
 * <p>Offsets are dense: each one from 1 to the sequence names exactly one entry, so the follower knows when it
 * skipped some. Skipped entries are those retention removed and deleted before the follower reached them,
 * which takes a follower more than a few seconds behind (see {@link RetentionPass}). When a read finds nothing,
 * one atomic probe reads the epoch and the sequence: it tells a wiped or rolled-back Redis, and lets the
 * follower pass offsets whose entries are all gone.
 *
 * <p>A failed read (Redis unreachable) is retried every {@value #RETRY_MS} ms from the same entry, so after a
 * reconnect, or a restart of Redis with its data, the follower resumes where it was and delivers nothing twice.
 */
final class Follower implements Runnable {
    static final String THREAD_NAME = "herald-redis-follower";
    static final long BLOCK_MS = 1000;
    static final int COUNT = 1024;
    static final long RETRY_MS = 100;

    private static final Logger log = LoggerFactory.getLogger(Follower.class);

    /** Where the follower's news goes; called on the follower's thread only. */
    interface Sink {
        /** {@code messages} (maybe none) are everything new up to and including offset {@code through}. */
        void deliver(List<Message> messages, long through);

        /** The data under the log's keys is not the data this log has been reading. */
        void lost(String why);
    }

    private final StatefulRedisConnection<String, String> connection;
    private final Keys keys;
    private final String epoch;
    private final Sink sink;
    private final String server;
    private final Thread thread;
    private volatile boolean stopped;
    private long last; // follower thread only, after start

    Follower(StatefulRedisConnection<String, String> connection, Keys keys, String epoch, long from, Sink sink,
            String server) {
        this.connection = connection;
        this.keys = keys;
        this.epoch = epoch;
        this.last = from;
        this.sink = sink;
        this.server = server;
        this.thread = new Thread(this, THREAD_NAME);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean isFollowerThread() {
        return Thread.currentThread() == thread;
    }

    /** Stops the thread: closing its connection ends a blocked read at once. */
    void stop(Duration wait) {
        stopped = true;
        CompletableFuture<Void> closed = connection.closeAsync();
        try {
            thread.join(wait.toMillis());
            closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("closing the follower's connection failed: {}", e.toString());
        }
    }

    @Override
    public void run() {
        boolean failing = false;
        while (!stopped) {
            try {
                List<StreamMessage<String, String>> read = connection.sync().xread(
                        XReadArgs.Builder.block(BLOCK_MS).count(COUNT), stream());
                if (failing) {
                    log.info("following {} again from offset {}", server, last);
                    failing = false;
                }
                if (read == null || read.isEmpty()) {
                    probe();
                } else {
                    take(read);
                }
            } catch (RedisException | CompletionException e) {
                if (stopped) {
                    break;
                }
                if (!failing) {
                    log.info("following {} failed at offset {}, retrying every {} ms: {}", server, last, RETRY_MS,
                            e.toString());
                    failing = true;
                }
                pause();
            } catch (RuntimeException e) {
                log.error("follower failed at offset {}; it goes on", last, e);
                pause();
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // one stream: the generic array is never written to
    private XReadArgs.StreamOffset<String>[] stream() {
        return new XReadArgs.StreamOffset[] {XReadArgs.StreamOffset.from(keys.log(), last + "-1")};
    }

    private void take(List<StreamMessage<String, String>> read) {
        List<Message> batch = new ArrayList<>(read.size());
        long through = last;
        for (StreamMessage<String, String> entry : read) {
            long offset = Entries.offsetOf(entry.getId());
            if (offset <= through) {
                continue;
            }
            skipped(through, offset);
            through = offset;
            try {
                batch.add(Entries.fromBody(entry.getId(), entry.getBody()));
            } catch (RuntimeException e) {
                log.warn("follower skips entry {} of {}: {}", entry.getId(), keys.log(), e.getMessage());
            }
        }
        last = through;
        sink.deliver(batch, through);
    }

    private void probe() {
        List<Object> p = Script.PROBE.run(connection.async(), new String[] {keys.epoch(), keys.seq(), keys.log()},
                Long.toString(last)).join();
        String stored = (String) p.get(0);
        long seq = (Long) p.get(1);
        boolean more = (Long) p.get(2) > 0;
        if (!epoch.equals(stored)) {
            stopped = true;
            sink.lost(stored.isEmpty() ? "the log's data is gone from " + server + " (epoch " + epoch
                    + " no longer stored: Redis was flushed or restarted without persistence)"
                    : "the log on " + server + " has another epoch now (" + stored + ", was " + epoch + ")");
        } else if (seq < last) {
            stopped = true;
            sink.lost("the log on " + server + " went back from offset " + last + " to " + seq
                    + " (Redis restored from an older snapshot?)");
        } else if (!more && seq > last) {
            skipped(last, seq + 1);
            last = seq;
            sink.deliver(List.of(), seq);
        }
    }

    private void skipped(long through, long next) {
        if (next > through + 1) {
            log.warn("follower skipped offsets {} to {}: retention removed them before it read them "
                    + "(it is more than a few seconds behind)", through + 1, next - 1);
        }
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(RETRY_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
