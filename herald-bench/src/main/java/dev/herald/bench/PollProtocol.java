package dev.herald.bench;

/** How a long-polling subscriber asks for what follows its last message, and reads the answer. */
public enum PollProtocol {
    /** Herald's: {@code cursor} in the URL, a JSON answer of every message after it, and the next cursor. */
    HERALD,
    /**
     * HTTP conditional requests, as nchan long-polls: one message per answer, its body the data; the next request
     * sends the answer's {@code Last-Modified} and {@code ETag} back as {@code If-Modified-Since} and
     * {@code If-None-Match}. A 304 or 408 is an answer without a message.
     */
    CONDITIONAL
}
