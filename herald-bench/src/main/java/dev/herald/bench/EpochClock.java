package dev.herald.bench;

import java.time.Instant;

/**
 * Microseconds since the epoch, read from {@link System#nanoTime()} against an offset taken once from the wall
 * clock. {@code nanoTime} has no meaning across processes and the wall clock may step; calibrated this way, the
 * publisher and the subscriber workers (separate JVMs on one machine) agree to a few microseconds and each stays
 * monotonic for the run.
 */
public final class EpochClock {
    private final long offsetMicros;

    private EpochClock(long offsetMicros) {
        this.offsetMicros = offsetMicros;
    }

    /** Takes the tightest of several {@code nanoTime} brackets around a microsecond-precision wall-clock read. */
    public static EpochClock calibrate() {
        long best = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < 200; i++) {
            long before = System.nanoTime();
            Instant wall = Instant.now();
            long after = System.nanoTime();
            if (after - before < best) {
                best = after - before;
                long wallMicros = wall.getEpochSecond() * 1_000_000L + wall.getNano() / 1_000;
                offset = wallMicros - (before + (after - before) / 2) / 1_000;
            }
        }
        return new EpochClock(offset);
    }

    /** Now, in epoch microseconds. */
    public long nowMicros() {
        return System.nanoTime() / 1_000 + offsetMicros;
    }

    /** The epoch microseconds of a {@link System#nanoTime()} reading taken in this process. */
    public long toMicros(long nanoTime) {
        return nanoTime / 1_000 + offsetMicros;
    }
}
