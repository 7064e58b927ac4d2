package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Topic;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class RocksLogOptionsTest {
    private final Path dir = Path.of("data");

    @Test
    void defaults() {
        RocksLogOptions o = RocksLogOptions.of(dir);
        assertThat(o.dataDir()).isEqualTo(dir);
        assertThat(o.sync()).isEqualTo(SyncPolicy.GROUP);
        assertThat(o.maxBatch()).isEqualTo(4096);
        assertThat(o.queueCapacity()).isEqualTo(16384);
        assertThat(o.retention().forTopic(Topic.of("any"))).isEqualTo(Retention.DEFAULT);
        assertThat(o.clock().getAsLong()).isCloseTo(System.currentTimeMillis(), Offset.offset(60_000L));
    }

    @Test
    void aBuilderStartsFromOptions() {
        RetentionPolicy policy = RetentionPolicy.of(new Retention(5, Duration.ofSeconds(5)));
        RocksLogOptions o = RocksLogOptions.builder(dir).retention(policy).clock(() -> 7).sync(SyncPolicy.NONE)
                .maxBatch(10).queueCapacity(20).build();
        RocksLogOptions copy = o.toBuilder().maxBatch(11).build();
        assertThat(copy.retention()).isSameAs(policy);
        assertThat(copy.clock().getAsLong()).isEqualTo(7);
        assertThat(copy.sync()).isEqualTo(SyncPolicy.NONE);
        assertThat(copy.maxBatch()).isEqualTo(11);
        assertThat(copy.queueCapacity()).isEqualTo(20);
        assertThat(o.maxBatch()).isEqualTo(10);
    }

    @Test
    void badValuesAreRefusedWithWhatWasExpected() {
        RocksLogOptions.Builder b = RocksLogOptions.builder(dir);
        assertThatThrownBy(() -> b.maxBatch(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBatch: 0 (expected: 1 to 1048576)");
        assertThatThrownBy(() -> b.maxBatch(1_048_577)).hasMessage("maxBatch: 1048577 (expected: 1 to 1048576)");
        assertThatThrownBy(() -> b.queueCapacity(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("queueCapacity: -1 (expected: 1 to 1048576)");
        assertThatThrownBy(() -> b.sync(null)).isInstanceOf(NullPointerException.class).hasMessage("sync");
        assertThatThrownBy(() -> b.clock(null)).hasMessage("clock");
        assertThatThrownBy(() -> b.retention(null)).hasMessage("retention");
        assertThatThrownBy(() -> RocksLogOptions.builder(null)).hasMessage("dataDir");
    }
}
