package dev.herald.server.contract;

/**
 * What a subscriber got, in the same terms on every transport.
 *
 * @param kind {@code message} or {@code truncated}
 * @param id the message's cursor; for {@code truncated}, the cursor the signal is about
 */
record Received(String kind, String id, String event, String data) {
    static Received message(String id, String event, String data) {
        return new Received("message", id, event, data);
    }

    static Received truncated(String cursor) {
        return new Received("truncated", cursor, "", "");
    }

    boolean isMessage() {
        return kind.equals("message");
    }
}
