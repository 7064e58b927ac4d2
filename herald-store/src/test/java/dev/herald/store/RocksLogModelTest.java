package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.History;
import dev.herald.core.Log;
import dev.herald.core.MemoryLog;
import dev.herald.core.Message;
import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Selector;
import dev.herald.core.Topic;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The RocksDB log against the in-memory reference: the same random appends, clock steps and reopens must give
 * the same offsets, duplicates, reads, trim marks and newest messages. The topics are many enough that reads
 * take both ways (merging few topics' indexes, and scanning the log), from memtables and from table files.
 */
class RocksLogModelTest {
    private static final List<String> SELECTORS = List.of("#", "t/+", "t/1", "t/2", "u/#", "u/3/#", "u/3/+",
            "u/+/x", "v", "+/7", "nothing", "u/5/x");

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

    private final RetentionPolicy policy = new RetentionPolicy(new Retention(50, Duration.ofMinutes(10)), List.of(
            new RetentionPolicy.Rule(Selector.of("t/#"), new Retention(3, Duration.ofMinutes(10))),
            new RetentionPolicy.Rule(Selector.of("u/3/#"), new Retention(1000, Duration.ofMinutes(1)))));

    private RocksLog open() throws IOException {
        // Durability is not the question here; unsynced writes keep the test quick.
        return RocksLog.open(RocksLogOptions.builder(dir).retention(policy).clock(clock::get)
                .sync(SyncPolicy.NONE).build());
    }

    private static String topic(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> "t/" + random.nextInt(10);
            case 1 -> "u/" + random.nextInt(8) + "/" + (random.nextBoolean() ? "x" : "y");
            case 2 -> "u/" + random.nextInt(40);
            default -> random.nextInt(5) == 0 ? "v" : "w/" + random.nextInt(60);
        };
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void behavesLikeTheMemoryLog(long seed) throws Exception {
        Random random = new Random(seed);
        MemoryLog model = new MemoryLog(policy, clock::get);
        RocksLog log = open();
        try {
            for (int step = 0; step < 1500; step++) {
                int op = random.nextInt(20);
                if (op < 10) {
                    appendBoth(random, model, log);
                } else if (op == 10) {
                    // Whole seconds, always at least one, then an append: both logs expire at that append.
                    clock.addAndGet(1000L * (1 + random.nextInt(90)));
                    appendBoth(random, model, log);
                } else if (op == 11 && random.nextInt(20) == 0) {
                    log.close();
                    log = open();
                } else if (op == 12 && random.nextInt(20) == 0) {
                    // Reads then cross table files and the tombstones retention left in them.
                    log.compact();
                } else {
                    compareReads(random, model, log);
                }
                assertThat(log.head()).as("head at step %d", step).isEqualTo(model.head());
            }
            for (String s : SELECTORS) {
                Set<Selector> selectors = Set.of(Selector.of(s));
                assertThat(log.read(selectors, 0, 10_000)).as(s).isEqualTo(model.read(selectors, 0, 10_000));
            }
        } finally {
            log.close();
        }
    }

    private static void appendBoth(Random random, Log model, Log log) {
        List<Draft> drafts = new ArrayList<>();
        int n = 1 + random.nextInt(random.nextInt(8) == 0 ? 30 : 4);
        for (int i = 0; i < n; i++) {
            String key = random.nextInt(3) == 0 ? "k" + random.nextInt(6) : "";
            drafts.add(new Draft(Topic.of(topic(random)), "e" + random.nextInt(2), "d" + random.nextInt(), key));
        }
        List<Appended> expected = model.append(drafts).join();
        List<Appended> actual = log.append(drafts).orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(actual).isEqualTo(expected);
    }

    private static void compareReads(Random random, Log model, Log log) {
        Set<Selector> selectors = new LinkedHashSet<>();
        for (int i = random.nextInt(3); i >= 0; i--) {
            selectors.add(Selector.of(SELECTORS.get(random.nextInt(SELECTORS.size()))));
        }
        if (random.nextInt(4) == 0) {
            for (int i = random.nextInt(5); i >= 0; i--) {
                selectors.add(Selector.of(topic(random)));
            }
        }
        // Within the head and from 1: MemoryLog fails a read after its head, and takes 0 for no limit.
        long after = random.nextLong(model.head() + 1);
        int limit = 1 + random.nextInt(40);
        History expected = model.read(selectors, after, limit);
        History actual = log.read(selectors, after, limit);
        assertThat(actual).as("read %s after %d limit %d", selectors, after, limit).isEqualTo(expected);
        int count = 1 + random.nextInt(40);
        List<Message> newest = log.last(selectors, count);
        assertThat(newest).as("last %d of %s", count, selectors).isEqualTo(model.last(selectors, count));
    }
}
