package dev.herald.server.json;

/** The words of Herald's own signals, the same on every transport. */
public final class Signals {
    /** Why a subscriber is told its cursor is too old: SSE {@code herald.truncated}, poll and WebSocket {@code truncated}. */
    public static final String TRUNCATED_DETAIL = "History no longer reaches back to this cursor: some messages after"
            + " it were removed. Delivery goes on from the oldest message kept.";

    private Signals() {
    }
}
