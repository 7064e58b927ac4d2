package dev.herald.server.limits;

import dev.herald.server.http.Problem;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;

/** The 429 problems of the limits. */
final class TooMany {
    private TooMany() {
    }

    static Problem problem(String type, String detail, Duration retryAfter) {
        return Problem.of(HttpResponseStatus.TOO_MANY_REQUESTS, type, detail).retryAfter(retryAfter);
    }
}
