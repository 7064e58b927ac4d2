package dev.herald.redis;

import static dev.herald.redis.Logs.draft;
import static dev.herald.redis.Logs.freshPrefix;

import dev.herald.core.Draft;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rough measurement of append throughput, run only when asked:
 * {@code mvn test -pl herald-redis -Dtest=RedisLogThroughputTest -Dherald.bench=true
 * -Dtest.argLine=-Dio.netty.leakDetection.level=simple} (the paranoid leak detector of the normal test run
 * slows Lettuce's encoding many times over).
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
class RedisLogThroughputTest {
    @RegisterExtension
    static final RedisServer redis = RedisServer.ephemeral();

    @Test
    void appends() throws Exception {
        try (Logs logs = new Logs()) {
            RedisLog log = logs.open(RedisLogOptions.builder(redis.uri()).prefix(freshPrefix("bench")).build());
            AtomicLong seen = new AtomicLong();
            log.listen(batch -> seen.addAndGet(batch.size()));
            run(log, 5_000, 1, 64, "warm-up");
            run(log, 50_000, 1, 64, "single messages, 64 in flight");
            run(log, 500, 100, 1, "batches of 100, 1 in flight");
            run(log, 1_000, 100, 16, "batches of 100, 16 in flight");
            System.out.println("listener saw " + seen.get() + " messages");
        }
    }

    private static void run(RedisLog log, int appends, int size, int inFlight, String name) throws Exception {
        Semaphore window = new Semaphore(inFlight);
        AtomicInteger failed = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < appends; i++) {
            List<Draft> batch = new ArrayList<>(size);
            for (int j = 0; j < size; j++) {
                batch.add(draft("bench/" + (j % 10), "payload of a typical chat message, " + i + "/" + j));
            }
            window.acquire();
            log.append(batch).whenComplete((r, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                }
                window.release();
            });
        }
        window.acquire(inFlight);
        double seconds = (System.nanoTime() - start) / 1e9;
        long messages = (long) appends * size;
        System.out.printf("%-32s %7d appends %8d messages in %5.2f s: %8.0f appends/s %9.0f messages/s, %d failed%n",
                name, appends, messages, seconds, appends / seconds, messages / seconds, failed.get());
        TimeUnit.MILLISECONDS.sleep(200);
    }
}
