package dev.herald.jmh;

/** The message data the encoding benchmarks use, by name: short, 1KiB, multiline. */
public final class Payloads {
    private Payloads() {
    }

    public static String of(String name) {
        return switch (name) {
            case "short" -> "{\"text\":\"hi!\"}";
            case "1KiB" -> oneKiB();
            case "multiline" -> multiline();
            default -> throw new IllegalArgumentException("data: " + name + " (expected: short, 1KiB or multiline)");
        };
    }

    /** One line of 1,024 ASCII characters: a JSON object with a long text field. */
    private static String oneKiB() {
        StringBuilder b = new StringBuilder(1024).append("{\"text\":\"");
        while (b.length() < 1024 - 2) {
            b.append((char) ('a' + b.length() % 26));
        }
        return b.append("\"}").toString();
    }

    /** Sixteen lines of about 40 characters, mostly LF-separated, some CRLF: 16 {@code data:} lines in SSE. */
    private static String multiline() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            if (i > 0) {
                b.append(i % 4 == 0 ? "\r\n" : "\n");
            }
            b.append("line ").append(i).append(": the quick brown fox jumps over");
        }
        return b.toString();
    }
}
