package dev.herald.server.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsConfigBuilder;
import io.netty.handler.codec.http.cors.CorsHandler;
import java.util.List;

/**
 * Netty's {@link CorsHandler}, configured for Herald: the allowed origins, the methods and headers the publish
 * and stream APIs use, and credentials (cookies, Authorization) only for listed origins, never with {@code *}.
 * A preflight {@code OPTIONS} is answered here, before any authentication, as a gateway's mock OPTIONS API does.
 */
public final class Cors {
    /** Request headers a browser may send cross-origin. */
    public static final String[] ALLOWED_HEADERS = {"Authorization", "X-Sdk-Date", "X-Sdk-Content-Sha256",
        "Content-Type", "Last-Event-ID", "Cache-Control", "Accept"};

    private Cors() {
    }

    /** @param origins exact origins such as {@code https://chat.example.com}; {@code *} allows any, without credentials */
    public static CorsHandler handler(List<String> origins) {
        CorsConfigBuilder builder;
        if (origins.contains("*")) {
            builder = CorsConfigBuilder.forAnyOrigin();
        } else {
            // With no origin listed, preflights are still answered, allowing nothing.
            builder = CorsConfigBuilder.forOrigins(origins.toArray(String[]::new)).allowCredentials();
        }
        CorsConfig config = builder
                .allowedRequestMethods(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS)
                .allowedRequestHeaders(ALLOWED_HEADERS)
                .exposeHeaders("Retry-After", "Content-Type")
                .maxAge(600)
                .build();
        return new CorsHandler(config);
    }
}
