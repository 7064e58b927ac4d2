package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class HistogramsTest {
    @Test
    void aCompressedHistogramComesBackTheSame() {
        Histogram h = Histograms.micros();
        for (long v = 1; v <= 100_000; v += 7) {
            h.recordValue(v);
        }
        Histogram back = Histograms.decode(Histograms.encode(h));
        assertThat(back.getTotalCount()).isEqualTo(h.getTotalCount());
        assertThat(back.getValueAtPercentile(99)).isEqualTo(h.getValueAtPercentile(99));
        assertThat(back.getMaxValue()).isEqualTo(h.getMaxValue());
    }

    @Test
    void workersHistogramsMergeAsIfOneHadRecordedAll() {
        Histogram fast = Histograms.micros();
        Histogram slow = Histograms.micros();
        Histogram all = Histograms.micros();
        for (int i = 0; i < 990; i++) {
            fast.recordValue(1_000);
            all.recordValue(1_000);
        }
        for (int i = 0; i < 10; i++) {
            slow.recordValue(50_000);
            all.recordValue(50_000);
        }
        Histogram merged = Histograms.micros();
        merged.add(Histograms.decode(Histograms.encode(fast)));
        merged.add(Histograms.decode(Histograms.encode(slow)));
        assertThat(merged).isEqualTo(all);
        Summary.Latency s = Histograms.summary(merged);
        assertThat(s.count()).isEqualTo(1000);
        assertThat(s.p50Ms()).isEqualTo(1.0);
        assertThat(s.p999Ms()).isBetween(49.9, 50.1);
    }

    @Test
    void valuesOutsideTheRangeAreClamped() {
        Histogram h = Histograms.micros();
        Histograms.record(h, -5); // clock skew between processes
        Histograms.record(h, Long.MAX_VALUE);
        assertThat(h.getTotalCount()).isEqualTo(2);
        assertThat(h.getMinValue()).isEqualTo(1);
    }

    @Test
    void anEmptyHistogramSummarizesToZeros() {
        assertThat(Histograms.summary(Histograms.micros()).p99Ms()).isZero();
    }
}
