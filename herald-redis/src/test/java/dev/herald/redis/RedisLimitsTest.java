package dev.herald.redis;

import static dev.herald.redis.Logs.freshPrefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Buckets and marks that two nodes (two logs on one Redis) share. */
class RedisLimitsTest {
    @RegisterExtension
    static final RedisServer redis = RedisServer.ephemeral();

    private final Logs logs = new Logs();

    @AfterEach
    void close() {
        redis.start();
        logs.close();
    }

    private RedisLimits node(String prefix) {
        return logs.open(RedisLogOptions.builder(redis.uri()).prefix(prefix)
                .commandTimeout(Duration.ofMillis(500)).build()).limits();
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void twoNodesDrawFromOneBucketWhoseKeyExpiresOnceItWouldBeFull() throws Exception {
        String prefix = freshPrefix("buckets");
        RedisLimits a = node(prefix);
        RedisLimits b = node(prefix);
        for (int i = 0; i < 10; i++) {
            assertThat(get((i % 2 == 0 ? a : b).take("app:chat", 1, 1, 10))).as("token " + i).isZero();
        }
        Duration wait = get(b.take("app:chat", 1, 1, 10));
        assertThat(wait).isBetween(Duration.ofMillis(900), Duration.ofMillis(1000));
        assertThat(get(a.take("app:chat", 1, 1, 10))).isPositive(); // refused: nothing was taken by b
        long ttl = (Long) redis.call("PTTL", a.bucketKey("app:chat"));
        assertThat(ttl).isBetween(9_000L, 11_000L); // ten tokens at one a second, plus a second
        assertThat(get(a.take("app:other", 1, 1, 10))).as("another bucket").isZero();
    }

    @Test
    void aBucketRefillsAtItsRateAndACostOverWhatIsLeftTakesNothing() throws Exception {
        RedisLimits a = node(freshPrefix("refill"));
        assertThat(get(a.take("ip:10.0.0.1", 5, 100, 5))).isZero();
        Duration wait = get(a.take("ip:10.0.0.1", 3, 100, 5));
        assertThat(wait).isBetween(Duration.ofMillis(10), Duration.ofMillis(30));
        Thread.sleep(wait.toMillis() + 20);
        assertThat(get(a.take("ip:10.0.0.1", 3, 100, 5))).isZero();
    }

    @Test
    void aMarkIsSetOnceAcrossNodesUntilItExpires() throws Exception {
        String prefix = freshPrefix("marks");
        RedisLimits a = node(prefix);
        RedisLimits b = node(prefix);
        assertThat(get(a.markOnce("sig:0123abcd", Duration.ofMillis(400)))).isTrue();
        assertThat(get(b.markOnce("sig:0123abcd", Duration.ofMillis(400)))).isFalse();
        assertThat(get(a.markOnce("sig:0123abcd", Duration.ofMillis(400)))).isFalse();
        assertThat((Long) redis.call("PTTL", a.markKey("sig:0123abcd"))).isBetween(1L, 400L);
        Thread.sleep(500);
        assertThat(get(b.markOnce("sig:0123abcd", Duration.ofMillis(400)))).isTrue();
    }

    @Test
    void whileRedisIsAwayCallsFailAtOnceAndWorkAgainWhenItIsBack() throws Exception {
        RedisLimits a = node(freshPrefix("away"));
        assertThat(get(a.take("b", 1, 10, 10))).isZero();
        redis.stop();
        long started = System.nanoTime();
        assertThatThrownBy(() -> get(a.take("b", 1, 10, 10))).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RedisException.class);
        assertThatThrownBy(() -> get(a.markOnce("m", Duration.ofSeconds(1)))).hasCauseInstanceOf(RedisException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500));
        redis.start();
        assertThat(Logs.await(10, () -> a.take("b", 1, 10, 10).handle((w, e) -> e == null).join())).isTrue();
    }
}
