package dev.herald.bench;

import java.nio.charset.StandardCharsets;

/**
 * The data of every message the bench publishes: a per-topic sequence number and the intended send time in epoch
 * microseconds, then padding up to the requested size. As text, {@code "17 1764579600123456 xxxx"}; as JSON,
 * {@code {"seq":17,"ts":1764579600123456,"pad":"xxxx"}} (for servers whose templates embed raw JSON). Both are
 * ASCII with nothing to escape, so they survive any template unchanged.
 *
 * <p>{@link #parse} reads either form from bytes or text without allocating; a subscriber keeps one instance.
 */
public final class Payload {
    /** How the data is laid out. */
    public enum Format { TEXT, JSON }

    private static final byte[] SEQ_KEY = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TS_KEY = "\"ts\":".getBytes(StandardCharsets.US_ASCII);

    private final byte[] scratch = new byte[64];
    private long seq;
    private long ts;

    /** The sequence number read by the last successful {@link #parse}. */
    public long seq() {
        return seq;
    }

    /** The intended send time, epoch microseconds, read by the last successful {@link #parse}. */
    public long ts() {
        return ts;
    }

    /** The data for message {@code seq} sent (as intended) at {@code ts}, padded to {@code size} bytes if shorter. */
    public static String format(Format format, long seq, long ts, int size) {
        StringBuilder b = new StringBuilder(Math.max(size, 48));
        if (format == Format.JSON) {
            b.append("{\"seq\":").append(seq).append(",\"ts\":").append(ts).append(",\"pad\":\"");
            pad(b, size - b.length() - 2);
            b.append("\"}");
        } else {
            b.append(seq).append(' ').append(ts);
            if (size > b.length() + 1) {
                b.append(' ');
                pad(b, size - b.length());
            }
        }
        return b.toString();
    }

    private static void pad(StringBuilder b, int n) {
        for (int i = 0; i < n; i++) {
            b.append('x');
        }
    }

    /** Reads {@code bytes[from, from + length)}; false if it is not a bench payload. */
    public boolean parse(byte[] bytes, int from, int length) {
        int n = from + length;
        if (length == 0) {
            return false;
        }
        long q;
        long t;
        if (bytes[from] == '{') {
            q = number(bytes, valueAfter(bytes, from, n, SEQ_KEY), n);
            t = number(bytes, valueAfter(bytes, from, n, TS_KEY), n);
        } else {
            q = number(bytes, from, n);
            int space = end(bytes, from, n);
            if (q < 0 || space >= n || bytes[space] != ' ') {
                return false;
            }
            t = number(bytes, space + 1, n);
            int after = end(bytes, space + 1, n);
            if (after < n && bytes[after] != ' ') {
                return false;
            }
        }
        if (q < 0 || t < 0) {
            return false;
        }
        seq = q;
        ts = t;
        return true;
    }

    /** Reads {@code text} (through a scratch buffer this instance keeps); false if it is not a bench payload. */
    public boolean parse(CharSequence text) {
        // Only the head matters: the numbers come first in both forms, and "ts" within the first 64 characters.
        int n = Math.min(text.length(), 64);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            scratch[i] = c < 0x80 ? (byte) c : (byte) '?';
        }
        return parse(scratch, 0, n);
    }

    /** The index just after {@code key} in {@code bytes[from, to)}, or -1. */
    private static int valueAfter(byte[] bytes, int from, int to, byte[] key) {
        outer:
        for (int i = from; i + key.length <= to; i++) {
            for (int j = 0; j < key.length; j++) {
                if (bytes[i + j] != key[j]) {
                    continue outer;
                }
            }
            return i + key.length;
        }
        return -1;
    }

    /** The decimal number starting at {@code at} (at most 18 digits), or -1 if there is none. */
    private static long number(byte[] bytes, int at, int to) {
        if (at < 0 || at >= to) {
            return -1;
        }
        long v = 0;
        int digits = 0;
        for (int i = at; i < to && bytes[i] >= '0' && bytes[i] <= '9'; i++) {
            if (++digits > 18) {
                return -1;
            }
            v = v * 10 + (bytes[i] - '0');
        }
        return digits == 0 ? -1 : v;
    }

    private static int end(byte[] bytes, int at, int to) {
        int i = at;
        while (i < to && bytes[i] >= '0' && bytes[i] <= '9') {
            i++;
        }
        return i;
    }
}
