package dev.herald.bench;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/** Histograms of microseconds: creation, compressed transport between processes, and percentile summaries. */
public final class Histograms {
    /** One hour: longer is recorded as this. */
    public static final long MAX_MICROS = 3_600_000_000L;

    private Histograms() {
    }

    /** An empty histogram of 1 µs to one hour with 3 significant digits. */
    public static Histogram micros() {
        return new Histogram(1, MAX_MICROS, 3);
    }

    /** Records {@code micros}, clamped to the histogram's range (clock skew between processes can go below 1). */
    public static void record(Histogram h, long micros) {
        h.recordValue(Math.max(1, Math.min(MAX_MICROS, micros)));
    }

    /** HdrHistogram's compressed encoding, in base64: one line on a worker's stdout. */
    public static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buffer);
        byte[] bytes = new byte[n];
        buffer.flip();
        buffer.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** The inverse of {@link #encode}. */
    public static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 1);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("not a compressed histogram: " + e.getMessage(), e);
        }
    }

    /** Percentiles in milliseconds; all zero when empty. */
    public static Summary.Latency summary(Histogram h) {
        if (h.getTotalCount() == 0) {
            return new Summary.Latency(0, 0, 0, 0, 0, 0, 0, 0);
        }
        return new Summary.Latency(h.getTotalCount(), ms(h.getMean()), ms(h.getValueAtPercentile(50)),
                ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
                ms(h.getMaxValue()), ms(h.getMinValue()));
    }

    private static double ms(double micros) {
        return Math.round(micros) / 1000.0;
    }
}
