package dev.herald.redis;

import static dev.herald.redis.Logs.append;
import static dev.herald.redis.Logs.draft;
import static dev.herald.redis.Logs.freshPrefix;
import static dev.herald.redis.Logs.sel;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The log on the primary that a real Sentinel names ({@code redis-sentinel://...#master}). */
class RedisSentinelTest {
    @RegisterExtension
    @Order(1)
    static final RedisServer primary = RedisServer.ephemeral();

    @RegisterExtension
    @Order(2)
    static final RedisServer sentinel = RedisServer.sentinel(primary);

    private final Logs logs = new Logs();

    @AfterEach
    void close() {
        logs.close();
    }

    @Test
    void opensTheLogOnThePrimaryThatTheSentinelNames() {
        String prefix = freshPrefix("sentinel");
        RedisLogOptions options = RedisLogOptions.builder(sentinel.uri()).prefix(prefix).build();
        assertThat(options.server()).isEqualTo("redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#herald");
        RedisLog log = logs.open(options);
        append(log, draft("s/a", "via sentinel"));
        assertThat(Logs.data(log.read(sel("s/#"), 0, 10).messages())).containsExactly("via sentinel");
        // The data is on the primary itself.
        assertThat(primary.call("GET", prefix + "{0}:epoch")).isEqualTo(log.epoch());
        assertThat(log.isWritable()).isTrue();
    }
}
