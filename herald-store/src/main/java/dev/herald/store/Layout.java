package dev.herald.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.herald.core.Message;
import dev.herald.core.Topic;
import java.util.Arrays;

/**
 * The bytes on disk: column family names, keys and values. See {@link RocksLog} for the layout as a whole.
 *
 * <p>Offsets and times are 8-byte big-endian, so that offset keys sort as numbers. A topic name never contains
 * 0x00 (topics exclude control characters), so {@code topic + 0x00} is a prefix no other topic shares.
 */
final class Layout {
    /** The version byte that starts every message value, and the {@code format} meta value. */
    static final byte FORMAT = 1;

    static final String MESSAGES = "messages";
    static final String TOPICS = "topics";
    static final String KEYS = "keys";

    static final byte[] META_FORMAT = utf8("format");
    static final byte[] META_EPOCH = utf8("epoch");
    static final byte[] META_HEAD = utf8("head");
    static final byte[] META_TRIM_PREFIX = utf8("trim/");

    private static final int TIME_AT = 1;
    private static final int TOPIC_LENGTH_AT = TIME_AT + 8;
    private static final int TOPIC_AT = TOPIC_LENGTH_AT + 2;

    /** The first bytes of a message value that always hold its topic: what a scan reads to filter. */
    static final int MESSAGE_HEAD_BYTES = TOPIC_AT + Topic.MAX_BYTES;

    private Layout() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(UTF_8);
    }

    // ---- messages: offset -> message

    static byte[] offsetKey(long offset) {
        byte[] b = new byte[8];
        putLong(b, 0, offset);
        return b;
    }

    static long offsetOf(byte[] key) {
        return getLong(key, 0);
    }

    /**
     * {@code version, time (8), topic length (2), topic, event length (varint), event, key length (varint), key,
     * data (the rest)}: the topic comes first so that a scan can filter on it without decoding the rest.
     */
    static byte[] encodeMessage(Message m, byte[] topicName) {
        byte[] event = utf8(m.event());
        byte[] key = utf8(m.key());
        byte[] data = utf8(m.data());
        int size = TOPIC_AT + topicName.length + varintSize(event.length) + event.length + varintSize(key.length)
                + key.length + data.length;
        byte[] v = new byte[size];
        v[0] = FORMAT;
        putLong(v, TIME_AT, m.time());
        v[TOPIC_LENGTH_AT] = (byte) (topicName.length >>> 8);
        v[TOPIC_LENGTH_AT + 1] = (byte) topicName.length;
        int pos = TOPIC_AT;
        System.arraycopy(topicName, 0, v, pos, topicName.length);
        pos += topicName.length;
        pos = putBytes(v, pos, event);
        pos = putBytes(v, pos, key);
        System.arraycopy(data, 0, v, pos, data.length);
        return v;
    }

    /**
     * Where the topic name starts in a message value, of which {@code bytes} may hold only the first
     * {@code size} bytes (at least {@link #MESSAGE_HEAD_BYTES}, or the whole value).
     */
    static int topicStart(byte[] bytes, int size) {
        if (size < TOPIC_AT || bytes[0] != FORMAT) {
            throw new IllegalStateException("message value: format " + (size == 0 ? "none" : bytes[0])
                    + " (expected: " + FORMAT + ")");
        }
        return TOPIC_AT;
    }

    /** The length of the topic name that starts at {@link #topicStart}. */
    static int topicLength(byte[] bytes, int size) {
        int length = (bytes[TOPIC_LENGTH_AT] & 0xff) << 8 | bytes[TOPIC_LENGTH_AT + 1] & 0xff;
        if (length > size - TOPIC_AT) {
            throw new IllegalStateException("message value: topic of " + length + " bytes (expected: at most "
                    + (size - TOPIC_AT) + ")");
        }
        return length;
    }

    /** The message in {@code value}, whose topic the caller has already decoded (see {@link TopicFilter}). */
    static Message decodeMessage(long offset, byte[] value, Topic topic) {
        int[] pos = {topicStart(value, value.length) + topicLength(value, value.length)};
        long time = getLong(value, TIME_AT);
        String event = getString(value, pos);
        String key = getString(value, pos);
        String data = new String(value, pos[0], value.length - pos[0], UTF_8);
        return new Message(offset, topic, event, data, time, key);
    }

    // ---- topics: topic 0x00 offset -> time, idempotency key

    static byte[] topicKey(byte[] topicName, long offset) {
        byte[] k = Arrays.copyOf(topicName, topicName.length + 9);
        putLong(k, topicName.length + 1, offset);
        return k;
    }

    /** Whether {@code key} is a {@code topics} key of the topic named {@code topicName}. */
    static boolean isTopicKeyOf(byte[] key, byte[] topicName) {
        int n = topicName.length;
        return key.length == n + 9 && key[n] == 0 && Arrays.equals(key, 0, n, topicName, 0, n);
    }

    /** The topic name of a {@code topics} key. */
    static byte[] topicNameOf(byte[] topicKey) {
        return Arrays.copyOf(topicKey, topicKey.length - 9);
    }

    static long offsetOfTopicKey(byte[] topicKey) {
        return getLong(topicKey, topicKey.length - 8);
    }

    static byte[] topicValue(long time, byte[] key) {
        byte[] v = new byte[8 + key.length];
        putLong(v, 0, time);
        System.arraycopy(key, 0, v, 8, key.length);
        return v;
    }

    static long timeOfTopicValue(byte[] value) {
        return getLong(value, 0);
    }

    static byte[] keyOfTopicValue(byte[] value) {
        return Arrays.copyOfRange(value, 8, value.length);
    }

    // ---- keys: topic 0x00 idempotency key -> offset

    static byte[] keyKey(byte[] topicName, byte[] key) {
        byte[] k = Arrays.copyOf(topicName, topicName.length + 1 + key.length);
        System.arraycopy(key, 0, k, topicName.length + 1, key.length);
        return k;
    }

    // ---- meta (default column family)

    static byte[] trimKey(byte[] topicName) {
        byte[] k = Arrays.copyOf(META_TRIM_PREFIX, META_TRIM_PREFIX.length + topicName.length);
        System.arraycopy(topicName, 0, k, META_TRIM_PREFIX.length, topicName.length);
        return k;
    }

    static boolean isTrimKey(byte[] key) {
        int n = META_TRIM_PREFIX.length;
        return key.length > n && Arrays.equals(key, 0, n, META_TRIM_PREFIX, 0, n);
    }

    static String topicOfTrimKey(byte[] key) {
        int n = META_TRIM_PREFIX.length;
        return new String(key, n, key.length - n, UTF_8);
    }

    // ---- primitives

    static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | b[at + i] & 0xff;
        }
        return v;
    }

    private static int varintSize(int v) {
        int n = 1;
        while ((v & ~0x7f) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private static int putBytes(byte[] b, int pos, byte[] s) {
        int v = s.length;
        while ((v & ~0x7f) != 0) {
            b[pos++] = (byte) (v & 0x7f | 0x80);
            v >>>= 7;
        }
        b[pos++] = (byte) v;
        System.arraycopy(s, 0, b, pos, s.length);
        return pos + s.length;
    }

    private static String getString(byte[] b, int[] pos) {
        int p = pos[0];
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            if (shift > 28) {
                throw new IllegalStateException("message value: malformed length at byte " + p);
            }
            byte x = b[p++];
            length |= (x & 0x7f) << shift;
            if (x >= 0) {
                break;
            }
        }
        if (length < 0 || length > b.length - p) {
            throw new IllegalStateException("message value: length " + length + " at byte " + p
                    + " (expected: at most " + (b.length - p) + ")");
        }
        pos[0] = p + length;
        return new String(b, p, length, UTF_8);
    }
}
