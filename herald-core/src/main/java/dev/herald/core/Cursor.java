package dev.herald.core;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position in a {@link Log}: its epoch and the offset of the last message seen. A subscription that starts
 * from a cursor receives every matching message after it.
 *
 * <p>Written as the opaque token {@code <epoch>-<offset>}, the same on every transport: the SSE {@code id:},
 * the long-poll {@code cursor} and the WebSocket {@code cursor}. The epoch changes when a store is wiped, so a
 * token from another incarnation of the log is recognised instead of misread.
 */
public record Cursor(String epoch, long offset) {
    private static final Pattern EPOCH = Pattern.compile("[0-9a-z]{1,16}");
    private static final Pattern TOKEN = Pattern.compile("([0-9a-z]{1,16})-([0-9]{1,19})");

    public Cursor {
        requireNonNull(epoch, "epoch");
        if (!EPOCH.matcher(epoch).matches()) {
            throw new IllegalArgumentException("epoch: '" + epoch + "' (expected: 1 to 16 of [0-9a-z])");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
        }
    }

    /**
     * Reads a token as written by {@link #token()}.
     *
     * @throws IllegalArgumentException naming what was wrong
     */
    public static Cursor parse(String token) {
        requireNonNull(token, "token");
        Matcher m = TOKEN.matcher(token);
        if (!m.matches()) {
            throw new IllegalArgumentException("cursor: '" + Names.printable(token)
                    + "' is not a Herald cursor (expected: the id of a message as Herald sent it, like 3f9a0c1b-42)");
        }
        try {
            return new Cursor(m.group(1), Long.parseLong(m.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cursor: '" + token + "' has an offset out of range");
        }
    }

    public String token() {
        return epoch + "-" + offset;
    }

    @Override
    public String toString() {
        return token();
    }
}
