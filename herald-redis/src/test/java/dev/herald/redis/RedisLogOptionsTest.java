package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisLogOptionsTest {
    @Test
    void defaults() {
        RedisLogOptions o = RedisLogOptions.of("redis://127.0.0.1:6379");
        assertThat(o.prefix()).isEqualTo("herald:");
        assertThat(o.commandTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.maxBatch()).isEqualTo(4096);
        assertThat(o.maxInFlight()).isEqualTo(16384);
        assertThat(o.server()).isEqualTo("redis://127.0.0.1:6379/0");
    }

    @Test
    void thePasswordComesFromTheUriAndNeverShows() {
        RedisLogOptions o = RedisLogOptions.of("redis://:s3cret@cache.internal:6380/2");
        assertThat(new String(o.uri().getCredentialsProvider().resolveCredentials().block().getPassword()))
                .isEqualTo("s3cret");
        assertThat(o.server()).isEqualTo("redis://cache.internal:6380/2");
        assertThat(o.toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> RedisLogOptions.of("http://:s3cret@host"))
                .hasMessage("uri: 'http://***@host' (expected: redis://[:password@]host[:port][/database], "
                        + "rediss://... or redis-sentinel://...#master)");
    }

    @Test
    void sentinelUrisNameTheSentinelsAndTheMaster() {
        RedisLogOptions o = RedisLogOptions.of("redis-sentinel://:s3cret@s1.internal:26379,s2.internal/3#herald");
        assertThat(o.uri().getSentinels()).hasSize(2);
        assertThat(o.uri().getSentinelMasterId()).isEqualTo("herald");
        assertThat(o.server()).isEqualTo("redis-sentinel://s1.internal:26379,s2.internal:26379/3#herald");
        assertThat(o.toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> RedisLogOptions.of("redis-sentinel://s1.internal:26379"))
                .hasMessageStartingWith("uri: 'redis-sentinel://s1.internal:26379' cannot be read: ")
                .hasMessageEndingWith("(expected: redis-sentinel://[:password@]host[:port][,host2[:port2]]"
                        + "[/database]#master)");
        // Each call gives a copy: what one caller sets on it (a timeout) does not change the options.
        o.uri().setDatabase(9);
        assertThat(o.uri().getDatabase()).isEqualTo(3);
    }

    @Test
    void refusesValuesOutOfRangeAndSaysWhatItExpected() {
        RedisLogOptions.Builder b = RedisLogOptions.builder("redis://localhost");
        assertThatThrownBy(() -> b.prefix("")).hasMessage(
                "prefix: '' (expected: 1 to 64 printable ASCII characters without space, '{' or '}')");
        assertThatThrownBy(() -> b.prefix("a{b}")).hasMessageStartingWith("prefix: 'a{b}' (expected:");
        assertThatThrownBy(() -> b.prefix("has space")).hasMessageStartingWith("prefix: 'has space'");
        assertThatThrownBy(() -> b.commandTimeout(Duration.ofMillis(1)))
                .hasMessage("commandTimeout: PT0.001S (expected: PT0.01S to PT1M)");
        assertThatThrownBy(() -> b.maxBatch(0)).hasMessage("maxBatch: 0 (expected: 1 to 100000)");
        assertThatThrownBy(() -> b.maxInFlight(-1)).hasMessage("maxInFlight: -1 (expected: 1 to 1048576)");
        assertThat(b.prefix("app-1:").build().prefix()).isEqualTo("app-1:");
    }
}
