package dev.herald.server.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.Optional;

/**
 * An error a client can act on, answered as {@code application/problem+json} (RFC 9457). The detail is what
 * the client may know; anything else belongs in the log, not here.
 *
 * @param status the HTTP status, which says who is at fault
 * @param type a short slug naming the kind of problem, e.g. {@code data-too-large}; sent as
 *     {@code urn:herald:problem:<type>}
 * @param detail a sentence saying what was wrong and how to fix it
 * @param retryAfter for 429 and 503: when to try again
 */
public record Problem(HttpResponseStatus status, String type, String detail, Optional<Duration> retryAfter) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Problem {
        requireNonNull(status, "status");
        requireNonNull(type, "type");
        requireNonNull(detail, "detail");
        requireNonNull(retryAfter, "retryAfter");
    }

    public static Problem of(HttpResponseStatus status, String type, String detail) {
        return new Problem(status, type, detail, Optional.empty());
    }

    public static Problem badRequest(String type, String detail) {
        return of(HttpResponseStatus.BAD_REQUEST, type, detail);
    }

    public Problem retryAfter(Duration delay) {
        return new Problem(status, type, detail, Optional.of(delay));
    }

    /** Throws this problem, for parsers deep in a request. */
    public ProblemException exception() {
        return new ProblemException(this);
    }

    public String toJson() {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "urn:herald:problem:" + type);
        body.put("title", status.reasonPhrase());
        body.put("status", status.code());
        body.put("detail", detail);
        return body.toString();
    }
}
