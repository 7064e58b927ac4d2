package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
    private static Summary run(String label, String server, double rate, double perSecond, double p99, long lost) {
        Summary.Latency l = new Summary.Latency(100, 1, 1, 2, p99, p99, p99, 0.1);
        return new Summary(label, server, "sse", "2026-01-01T00:00:00Z", 10,
                new Summary.Subscribers(1000, 1000, 0, 0, 0, 0, 64, 0.5),
                new Summary.Publish(rate, 100, 100, 0, 0, rate, 100, l),
                new Summary.Delivery(100_000, 100_000 - lost, perSecond, lost, 0, 0, 0, 0), l, null,
                new Summary.ServerStats(List.of(1L), 1000, 5000, 5000, 5000, 4.0, 1.5, 2.0), List.of());
    }

    @Test
    void oneRowPerMetricWithHeraldsRatioToEachPeer() {
        String table = new Table(100).render(List.of(run("a", "herald", 10, 10_000, 2, 0),
                run("a", "nchan", 10, 5_000, 8, 3)));
        assertThat(table).startsWith("| scenario | metric | herald | nchan | herald ÷ nchan |\n");
        assertThat(table).contains("| a | delivered msg/s ↑ | 10,000 | 5,000 | 2.00× |");
        assertThat(table).contains("| a | latency p99 ms ↓ | 2 | 8 | 0.25× |");
        assertThat(table).contains("| a | lost / duplicated / reordered | 0 / 0 / 0 | 3 / 0 / 0 | — |");
    }

    @Test
    void aRateSearchReportsTheHighestCleanRate() {
        String table = new Table(100).render(List.of(
                run("g", "herald", 100, 1, 5, 0), run("g", "herald", 1000, 1, 50, 0),
                run("g", "herald", 2000, 1, 150, 0), run("g", "nchan", 100, 1, 20, 0),
                run("g", "nchan", 1000, 1, 60, 2)));
        assertThat(table).contains("| g | max rate msg/s with p99 ≤ 100 ms ↑ | 1,000 | 100 | 10.00× |");
    }

    @Test
    void aMissingServerIsADash() {
        String table = new Table(100).render(List.of(run("a", "herald", 10, 100, 2, 0),
                run("b", "pushpin", 10, 100, 2, 0)));
        assertThat(table).contains("| a | delivered msg/s ↑ | 100 | — | — |");
    }
}
