package dev.herald.bench;

/** How subscribers receive; each has Herald's endpoint as its default subscribe URL. */
public enum Transport {
    /** Server-Sent Events: one long response of {@code text/event-stream}. */
    SSE("/api/v1/stream?topic={topic}"),
    /** Long polling: JSON answers {@code {"messages":[{"data":…}],"cursor":…}}, each poll from the last cursor. */
    POLL("/api/v1/poll?topic={topic}&cursor={cursor}&timeout={timeout}"),
    /** WebSocket: a subscribe frame, then one JSON text frame per message. */
    WS("/api/v1/ws");

    private final String heraldUrl;

    Transport(String heraldUrl) {
        this.heraldUrl = heraldUrl;
    }

    /** Herald's subscribe URL for this transport, relative to the base. */
    public String heraldUrl() {
        return heraldUrl;
    }
}
