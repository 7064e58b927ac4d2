package dev.herald.core;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * The transport's side of a {@link Subscription}: where its messages go.
 *
 * <p>Every callback runs on {@link #executor()}, one at a time: for a network transport, the channel's event
 * loop, so that a transport needs no locks. Callbacks must not block.
 */
public interface Subscriber {

    /** A serial executor; every callback of this subscriber runs on it. */
    Executor executor();

    /**
     * Whether the subscriber can take more now. While it cannot, the subscription stops delivering and, once
     * told through {@link Subscription#resume()}, goes on from the log: a slow subscriber costs no memory. On
     * latest-value topics it goes on with the newest message of each instead (see {@link Subscription}).
     */
    boolean isWritable();

    /**
     * The subscription's starting position is known: messages after {@code position} follow. Called once,
     * before any message. A transport that has nothing else to send can give this cursor to its client.
     */
    void onStart(Cursor position);

    /**
     * The subscription has delivered all the history there was and is live. Called after each catch-up,
     * including one that found nothing: a poll that has nothing to return can answer now.
     */
    void onCaughtUp();

    /** Messages in offset order, each delivered once; the subscriber writes them and flushes once. */
    void onMessages(List<Message> messages);

    /**
     * The history no longer reaches back to {@code requested}: messages the subscriber never saw were removed.
     * Called before the messages that follow the gap.
     */
    void onTruncated(Cursor requested);

    /** The subscription ended because history could not be read; the subscriber should close. */
    void onFailure(Throwable cause);
}
