package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SequenceTrackerTest {
    private static final TreeSet<Long> NONE = new TreeSet<>();
    private final SequenceTracker t = new SequenceTracker();

    @Test
    void inOrderIsAllNewAndNothingLost() {
        for (long s = 1; s <= 1000; s++) {
            assertThat(t.record(s)).isEqualTo(SequenceTracker.Arrival.NEW);
        }
        assertThat(t.distinct()).isEqualTo(1000);
        assertThat(t.lost(1000, NONE)).isZero();
        assertThat(t.duplicated()).isZero();
        assertThat(t.reordered()).isZero();
    }

    @Test
    void aGapIsLostUntilItArrivesLate() {
        t.record(1);
        t.record(4);
        assertThat(t.lost(4, NONE)).isEqualTo(2);
        assertThat(t.record(3)).isEqualTo(SequenceTracker.Arrival.LATE);
        assertThat(t.lost(4, NONE)).isEqualTo(1);
        assertThat(t.record(2)).isEqualTo(SequenceTracker.Arrival.LATE);
        assertThat(t.lost(4, NONE)).isZero();
        assertThat(t.reordered()).isEqualTo(2);
        assertThat(t.distinct()).isEqualTo(4);
    }

    @Test
    void theMiddleOfAGapSplitsIt() {
        t.record(10);
        t.record(5);
        assertThat(t.lost(10, NONE)).isEqualTo(8);
        assertThat(t.record(5)).isEqualTo(SequenceTracker.Arrival.DUPLICATE);
        t.record(1);
        t.record(9);
        assertThat(t.lost(10, NONE)).isEqualTo(6);
    }

    @Test
    void againIsADuplicate() {
        t.record(1);
        t.record(2);
        assertThat(t.record(2)).isEqualTo(SequenceTracker.Arrival.DUPLICATE);
        assertThat(t.record(1)).isEqualTo(SequenceTracker.Arrival.DUPLICATE);
        assertThat(t.duplicated()).isEqualTo(2);
        assertThat(t.distinct()).isEqualTo(2);
        assertThat(t.lost(2, NONE)).isZero();
    }

    @Test
    void theTailNeverReceivedIsLost() {
        t.record(1);
        t.record(2);
        assertThat(t.lost(5, NONE)).isEqualTo(3);
        assertThat(new SequenceTracker().lost(3, NONE)).isEqualTo(3);
    }

    @Test
    void failedPublishesAreNotOwed() {
        t.record(1);
        t.record(3);
        TreeSet<Long> failed = new TreeSet<>(List.of(2L, 5L));
        assertThat(t.lost(5, failed)).isEqualTo(1); // 4
        assertThat(t.lost(3, failed)).isZero();
    }

    @Test
    void aMillionMissedCostOneEntry() {
        t.record(1_000_001);
        assertThat(t.lost(1_000_001, NONE)).isEqualTo(1_000_000);
        assertThat(t.record(500_000)).isEqualTo(SequenceTracker.Arrival.LATE);
        assertThat(t.lost(1_000_001, NONE)).isEqualTo(999_999);
    }
}
