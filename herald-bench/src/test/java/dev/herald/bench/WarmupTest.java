package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WarmupTest {
    @Test
    void everySyntheticEventParsesInEitherFormat() {
        assertThat(Warmup.clientPaths(BenchOptionsTest.parse())).isEqualTo(200_000);
        assertThat(Warmup.clientPaths(BenchOptionsTest.parse("--format", "json"))).isEqualTo(200_000);
    }
}
