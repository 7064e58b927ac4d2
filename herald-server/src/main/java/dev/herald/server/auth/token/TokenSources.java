package dev.herald.server.auth.token;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.List;
import java.util.Optional;

/**
 * Where a request carries a token, in the order they are looked at:
 * <ol>
 * <li>{@code Authorization: Bearer <token>} (RFC 6750; the scheme in any case);</li>
 * <li>the query parameter {@value #QUERY_PARAMETER}, for clients that cannot set headers, such as
 *     {@code EventSource} and WebSocket in browsers;</li>
 * <li>the cookie {@value #COOKIE}.</li>
 * </ol>
 * A request has one credential: an {@code Authorization} header of another scheme (such as
 * {@code SDK-HMAC-SHA256}, which the signature verifier handles) means it carries no token, whatever its query
 * and cookies hold. A source that is present counts even when its value is empty, so that an empty token is
 * refused as malformed rather than taken for no credentials; the first value of a repeated parameter or cookie
 * counts.
 */
public final class TokenSources {
    /** The cookie a page may keep its user's token in. */
    public static final String COOKIE = "herald_token";
    /** The query parameter a token may travel in (RFC 6750 section 2.3). */
    public static final String QUERY_PARAMETER = "access_token";

    private static final String BEARER = "Bearer";

    private TokenSources() {
    }

    /** The token {@code request} carries, not yet verified; {@code query} is its decoded URI. */
    public static Optional<String> find(HttpRequest request, QueryStringDecoder query) {
        requireNonNull(request, "request");
        requireNonNull(query, "query");
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null) {
            return bearer(authorization.strip());
        }
        List<String> values = query.parameters().get(QUERY_PARAMETER);
        if (values != null && !values.isEmpty()) {
            return Optional.of(values.get(0));
        }
        for (String header : request.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie cookie : ServerCookieDecoder.STRICT.decodeAll(header)) {
                if (cookie.name().equals(COOKIE)) {
                    return Optional.of(cookie.value());
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> bearer(String authorization) {
        int space = authorization.indexOf(' ');
        String scheme = space < 0 ? authorization : authorization.substring(0, space);
        if (!scheme.equalsIgnoreCase(BEARER)) {
            return Optional.empty();
        }
        return Optional.of(space < 0 ? "" : authorization.substring(space + 1).strip());
    }
}
