package dev.herald.core;

import java.nio.charset.StandardCharsets;

/** Shared checks for topic names and selector patterns. */
final class Names {
    private Names() {
    }

    /**
     * Checks what topics and selectors have in common and returns the segments.
     *
     * @param what "topic" or "selector", for the message
     */
    static String[] segments(String what, String name, int maxBytes) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException(what + ": '' (expected: 1 to " + maxBytes + " bytes of UTF-8)");
        }
        if (!Text.isWellFormed(name)) {
            throw new IllegalArgumentException(what + ": contains an unpaired surrogate (expected: valid UTF-8 text)");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw new IllegalArgumentException(
                    what + ": " + bytes + " bytes (expected: 1 to " + maxBytes + " bytes of UTF-8)");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(
                        what + ": '" + printable(name) + "' contains a control character (expected: printable text)");
            }
        }
        if (name.startsWith("/") || name.endsWith("/") || name.contains("//")) {
            throw new IllegalArgumentException(what + ": '" + name
                    + "' has an empty segment (expected: segments separated by single '/', e.g. chat/room-42)");
        }
        return name.split("/", -1);
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
