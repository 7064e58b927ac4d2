package dev.herald.server.demo;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.token.TokenMinter;
import dev.herald.server.http.Endpoint;
import dev.herald.server.http.Problem;
import dev.herald.server.http.Responses;
import dev.herald.server.limits.RateLimiter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/demo/token} with {@code {"username": "alice"}}: the chat's demo backend. It does what a
 * real app's backend does once its user has logged in (mint a short-lived token naming the user, for the page
 * to subscribe and publish with) but trusts whatever name it is given: a demo, not a login. Answer:
 * {@code {"token": "...", "username": "alice", "expiresIn": 3600}}.
 *
 * <p>Names are 1 to {@value #MAX_NAME} letters, digits, spaces, {@code .}, {@code _} and {@code -}, starting
 * with a letter or digit (400 otherwise). Each client address may mint {@value #PER_MINUTE} tokens a minute
 * after a burst of {@value #BURST} (429 with Retry-After above it), on each node.
 */
public final class DemoTokenEndpoint implements Endpoint {
    public static final int MAX_NAME = 24;
    static final int PER_MINUTE = 20;
    static final int BURST = 10;
    /** Long enough for a demo; the page asks again before it ends. */
    public static final Duration TTL = Duration.ofHours(1);
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} ._-]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final App app;
    private final Authenticator authenticator;
    private final TokenMinter minter;
    private final RateLimiter<InetAddress> rates = new RateLimiter<>();
    private final java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();

    public DemoTokenEndpoint(App app, Authenticator authenticator, Clock clock) {
        this.app = requireNonNull(app, "app");
        this.authenticator = requireNonNull(authenticator, "authenticator");
        this.minter = new TokenMinter(clock);
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        authenticator.authenticate(request, uri); // refuses a page on another origin
        String name = username(request);
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress address) {
            if (served.incrementAndGet() % 256 == 0) {
                rates.forgetIdle(); // drops only buckets that refilled: the limiter holds recent clients only
            }
            rates.acquire(address.getAddress(), 1, PER_MINUTE / 60.0, BURST).ifPresent(wait -> {
                throw Problem.of(HttpResponseStatus.TOO_MANY_REQUESTS, "demo-token-rate", "This address asked for "
                        + "demo tokens too often; wait a little.").retryAfter(wait).exception();
            });
        }
        String token = minter.mint(app, name, DemoApp.SUBSCRIBE, DemoApp.PUBLISH, TTL);
        ObjectNode answer = JSON.createObjectNode();
        answer.put("token", token);
        answer.put("username", name);
        answer.put("expiresIn", TTL.toSeconds());
        var response = Responses.of(HttpResponseStatus.OK, Responses.JSON, answer.toString());
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        Responses.send(ctx, request, response);
    }

    /** The name asked for, trimmed and checked; 400 naming the rule otherwise. */
    static String username(FullHttpRequest request) {
        JsonNode body;
        try {
            body = JSON.readTree(request.content().toString(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw Problem.badRequest("malformed-json", "The body is not valid JSON; send {\"username\": \"alice\"}.")
                    .exception();
        }
        if (body == null || !body.isObject() || !body.path("username").isTextual()) {
            throw Problem.badRequest("missing-field", "Send {\"username\": \"alice\"}.").exception();
        }
        String name = body.get("username").textValue().strip();
        int length = name.codePointCount(0, name.length());
        if (length < 1 || length > MAX_NAME || !NAME.matcher(name).matches()) {
            throw Problem.badRequest("invalid-username", "A name is 1 to " + MAX_NAME + " letters, digits, spaces, "
                    + "'.', '_' or '-', starting with a letter or digit.").exception();
        }
        return name;
    }
}
