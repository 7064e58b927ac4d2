package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An incremental {@code text/event-stream} parser over bytes, as the HTML standard reads streams: lines end with
 * CR, LF or CRLF (also when CR and LF arrive in different chunks), {@code :} starts a comment, a field's value
 * loses one leading space, several {@code data} lines join with LF, and a blank line dispatches the event. Only
 * {@code data}, {@code event} and {@code id} matter here; {@code retry} and unknown fields are ignored.
 *
 * <p>One per connection, on its event loop. Buffers grow with the longest line and are kept: at steady state
 * parsing allocates nothing. A line over {@code maxLine} bytes is a protocol error.
 */
public final class SseParser {
    /** Receives each dispatched event; the data array is reused after the call returns. */
    public interface Listener {
        /**
         * @param message whether the event type is the default {@code message} (no {@code event:} field, or
         *     {@code event: message})
         */
        void event(boolean message, byte[] data, int length);
    }

    private static final byte[] MESSAGE = "message".getBytes(StandardCharsets.US_ASCII);

    private final Listener listener;
    private final int maxLine;
    private byte[] line = new byte[128];
    private int lineLength;
    private boolean afterCr;
    private byte[] data = new byte[128];
    private int dataLength;
    private boolean hasData;
    private boolean defaultType = true;
    private byte[] lastId = new byte[0];
    private int lastIdLength;

    public SseParser(Listener listener, int maxLine) {
        this.listener = listener;
        this.maxLine = maxLine;
    }

    /** Parses what {@code in} holds, dispatching the events it completes; does not release it. */
    public void feed(ByteBuf in) {
        int end = in.writerIndex();
        for (int i = in.readerIndex(); i < end; i++) {
            byte b = in.getByte(i);
            if (b == '\n') {
                if (afterCr) {
                    afterCr = false; // the LF of a CRLF: that line has ended already
                    continue;
                }
                endLine();
            } else if (b == '\r') {
                afterCr = true;
                endLine();
            } else {
                afterCr = false;
                if (lineLength == line.length) {
                    if (lineLength >= maxLine) {
                        throw new IllegalStateException("an event-stream line is over " + maxLine + " bytes");
                    }
                    line = Arrays.copyOf(line, Math.min(maxLine, line.length * 2));
                }
                line[lineLength++] = b;
            }
        }
    }

    /** The last {@code id:} seen, as the client would send it in {@code Last-Event-ID}; empty if none. */
    public String lastEventId() {
        return new String(lastId, 0, lastIdLength, StandardCharsets.UTF_8);
    }

    private void endLine() {
        int n = lineLength;
        lineLength = 0;
        if (n == 0) {
            if (hasData) {
                listener.event(defaultType, data, dataLength);
            }
            hasData = false;
            dataLength = 0;
            defaultType = true;
            return;
        }
        if (line[0] == ':') {
            return;
        }
        int colon = 0;
        while (colon < n && line[colon] != ':') {
            colon++;
        }
        int value = colon < n ? colon + 1 : n;
        if (value < n && line[value] == ' ') {
            value++;
        }
        int valueLength = n - value;
        if (is("data", colon)) {
            int need = dataLength + (hasData ? 1 : 0) + valueLength;
            if (need > data.length) {
                data = Arrays.copyOf(data, Math.max(need, data.length * 2));
            }
            if (hasData) {
                data[dataLength++] = '\n';
            }
            System.arraycopy(line, value, data, dataLength, valueLength);
            dataLength += valueLength;
            hasData = true;
        } else if (is("event", colon)) {
            defaultType = valueLength == MESSAGE.length && Arrays.equals(line, value, n, MESSAGE, 0, MESSAGE.length);
        } else if (is("id", colon)) {
            if (lastId.length < valueLength) {
                lastId = new byte[Math.max(valueLength, 32)];
            }
            System.arraycopy(line, value, lastId, 0, valueLength);
            lastIdLength = valueLength;
        }
    }

    private boolean is(String field, int length) {
        if (length != field.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (line[i] != field.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
