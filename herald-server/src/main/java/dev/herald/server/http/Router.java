package dev.herald.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches each request by path and method to its {@link Endpoint}, and turns every refusal into a problem
 * response: a malformed request, an unknown path (404), a known path with another method (405 with
 * {@code Allow}), a {@link ProblemException}, and our own bugs (500, logged at ERROR).
 */
@ChannelHandler.Sharable
public final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private static final Predicate<FullHttpRequest> ALWAYS = r -> true;

    private record Route(HttpMethod method, Predicate<FullHttpRequest> when, Endpoint endpoint) {
    }

    private final Map<String, List<Route>> routes;
    private final Endpoint fallback;

    private Router(Map<String, List<Route>> routes, Endpoint fallback) {
        this.routes = routes;
        this.fallback = fallback;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects routes; the first that fits a request answers it. */
    public static final class Builder {
        private final Map<String, List<Route>> routes = new LinkedHashMap<>();

        public Builder route(HttpMethod method, String path, Endpoint endpoint) {
            return route(method, path, ALWAYS, endpoint);
        }

        /** A route that only answers requests {@code when} accepts; others fall to the next route. */
        public Builder route(HttpMethod method, String path, Predicate<FullHttpRequest> when, Endpoint endpoint) {
            routes.computeIfAbsent(path, p -> new ArrayList<>()).add(new Route(method, when, endpoint));
            if (method.equals(HttpMethod.GET)) {
                routes.get(path).add(new Route(HttpMethod.HEAD, when, endpoint));
            }
            return this;
        }

        /** Answers GET and HEAD for every path without a route (static files). */
        public Router build(Endpoint fallback) {
            return new Router(Map.copyOf(routes), fallback);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            refuseMalformed(ctx, request, request.decoderResult().cause());
            return;
        }
        QueryStringDecoder uri;
        try {
            // '+' is a plus and ';' an ordinary character, as the request signers read a query: so that
            // ?topic=chat/+ is the MQTT wildcard, and what an endpoint reads is what was signed.
            uri = QueryStringDecoder.builder().htmlQueryDecoding(false).semicolonIsNormalChar(true)
                    .build(request.uri());
            uri.parameters(); // decode now, so that a bad escape is refused here
        } catch (IllegalArgumentException e) {
            Responses.send(ctx, request, Problem.badRequest("malformed-uri",
                    "The request URI has a malformed %-escape: " + e.getMessage()));
            return;
        }
        try {
            dispatch(ctx, request, uri);
        } catch (ProblemException e) {
            Responses.send(ctx, request, e.problem());
        } catch (RuntimeException e) {
            log.error("{} {} failed", request.method(), uri.path(), e);
            Responses.send(ctx, request, Problem.of(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
                    "The server failed to answer this request; the failure is logged."));
        }
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        List<Route> candidates = routes.getOrDefault(uri.path(), List.of());
        for (Route route : candidates) {
            if (route.method().equals(request.method()) && route.when().test(request)) {
                route.endpoint().handle(ctx, request, uri);
                return;
            }
        }
        boolean read = request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD);
        if (read && candidates.stream().allMatch(Router::isConditional)) {
            fallback.handle(ctx, request, uri);
            return;
        }
        if (candidates.isEmpty()) {
            throw Problem.of(HttpResponseStatus.NOT_FOUND, "not-found", "Nothing is at " + uri.path() + ".")
                    .exception();
        }
        Set<String> allowed = new java.util.LinkedHashSet<>();
        candidates.forEach(r -> allowed.add(r.method().name()));
        allowed.add("OPTIONS");
        var response = Responses.problem(Problem.of(HttpResponseStatus.METHOD_NOT_ALLOWED, "method-not-allowed",
                uri.path() + " answers " + String.join(", ", allowed) + ", not " + request.method() + "."));
        response.headers().set(HttpHeaderNames.ALLOW, String.join(", ", allowed));
        Responses.send(ctx, request, response);
    }

    private static boolean isConditional(Route route) {
        return route.when() != ALWAYS;
    }

    private static void refuseMalformed(ChannelHandlerContext ctx, FullHttpRequest request, Throwable cause) {
        Problem problem;
        if (cause instanceof TooLongHttpLineException) {
            problem = Problem.of(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri-too-long",
                    "The request line is too long; put long data in a POST body.");
        } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            problem = Problem.of(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large",
                    "The request headers are too large.");
        } else {
            problem = Problem.badRequest("malformed-request", "The request is not valid HTTP/1.1.");
        }
        log.debug("{} malformed request: {}", ctx.channel(), cause.toString());
        var response = Responses.problem(problem);
        ctx.writeAndFlush(response).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }
}
