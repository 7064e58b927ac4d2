package dev.herald.server.auth.sign;

/**
 * Percent-encoding as the JavaScript signer does it: ECMAScript's {@code decodeURI} and
 * {@code decodeURIComponent}, and the canonical encoding that keeps only {@code A-Z a-z 0-9 - . _ ~}.
 */
final class UriCoding {
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();
    /** What {@code decodeURI} leaves encoded. */
    private static final String RESERVED = ";/?:@&=+$,#";

    private UriCoding() {
    }

    /** Whether byte {@code b} is an ASCII character that {@code decodeURI} leaves encoded. */
    static boolean isReserved(int b) {
        return b < 0x80 && RESERVED.indexOf(b) >= 0;
    }

    /**
     * ECMAScript's Decode(string, reservedSet): {@code decodeURI} when {@code keepReserved}, else
     * {@code decodeURIComponent}. An escape of a reserved character is kept exactly as written (case included).
     * Escapes must be valid, shortest-form UTF-8 of a scalar value, or the request is malformed.
     */
    static String decode(String s, boolean keepReserved, String where) {
        int k = s.indexOf('%');
        if (k < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        out.append(s, 0, k);
        int n = s.length();
        while (k < n) {
            char c = s.charAt(k);
            if (c != '%') {
                out.append(c);
                k++;
                continue;
            }
            int start = k;
            int b = escapedByte(s, k, where);
            k += 3;
            if (b < 0x80) {
                if (keepReserved && isReserved(b)) {
                    out.append(s, start, k);
                } else {
                    out.append((char) b);
                }
                continue;
            }
            int length;
            int cp;
            if ((b & 0xE0) == 0xC0) {
                length = 2;
                cp = b & 0x1F;
            } else if ((b & 0xF0) == 0xE0) {
                length = 3;
                cp = b & 0x0F;
            } else if ((b & 0xF8) == 0xF0) {
                length = 4;
                cp = b & 0x07;
            } else {
                throw badUtf8(s, start, where);
            }
            for (int j = 1; j < length; j++) {
                if (k >= n || s.charAt(k) != '%') {
                    throw badUtf8(s, start, where);
                }
                int next = escapedByte(s, k, where);
                if ((next & 0xC0) != 0x80) {
                    throw badUtf8(s, start, where);
                }
                cp = (cp << 6) | (next & 0x3F);
                k += 3;
            }
            int min = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                throw badUtf8(s, start, where);
            }
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    /** Appends {@code s} keeping {@code A-Z a-z 0-9 - . _ ~}, every other character as UTF-8 {@code %XX}. */
    static void encode(String s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (isUnreserved(c)) {
                    out.append(c);
                } else {
                    escape(c, out);
                }
                continue;
            }
            int cp = c;
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= s.length()
                        || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    throw CanonicalRequest.malformed("a lone UTF-16 surrogate cannot be encoded as UTF-8");
                }
                cp = Character.toCodePoint(c, s.charAt(++i));
            }
            if (cp < 0x800) {
                escape(0xC0 | (cp >> 6), out);
            } else {
                if (cp < 0x10000) {
                    escape(0xE0 | (cp >> 12), out);
                } else {
                    escape(0xF0 | (cp >> 18), out);
                    escape(0x80 | ((cp >> 12) & 0x3F), out);
                }
                escape(0x80 | ((cp >> 6) & 0x3F), out);
            }
            escape(0x80 | (cp & 0x3F), out);
        }
    }

    static boolean isUnreserved(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    static void escape(int b, StringBuilder out) {
        out.append('%').append(UPPER_HEX[(b >> 4) & 0xF]).append(UPPER_HEX[b & 0xF]);
    }

    /** The byte of {@code %XX} at {@code i}, or -1 if there is none. */
    static int hexByte(String s, int i) {
        if (i + 2 >= s.length()) {
            return -1;
        }
        int hi = hexDigit(s.charAt(i + 1));
        int lo = hexDigit(s.charAt(i + 2));
        return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
    }

    /** An ASCII hex digit's value, or -1 ({@code Character.digit} would also take other scripts' digits). */
    static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    static int escapedByte(String s, int i, String where) {
        int b = hexByte(s, i);
        if (b < 0) {
            throw CanonicalRequest.malformed(where + ": malformed %-escape " + CanonicalRequest.shorten(s.substring(i, Math.min(i + 3, s.length())))
                    + " at index " + i + " (expected: % and two hex digits)");
        }
        return b;
    }

    static CanonicalRequest.InvalidRequestException badUtf8(String s, int start, String where) {
        return CanonicalRequest.malformed(where + ": the %-escapes at index " + start
                + " are not UTF-8 (expected: the UTF-8 bytes of one character, shortest form)");
    }
}
