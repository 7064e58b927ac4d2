package dev.herald.server.ops;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.Hub;
import dev.herald.core.Selector;
import dev.herald.server.http.Endpoint;
import dev.herald.server.http.Problem;
import dev.herald.server.http.Responses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/v1/admin/stats} with {@code Authorization: Bearer <admin.token>}: the server's own meters
 * (the same registry {@code /metrics} exposes) and the hub's subscriptions, as one JSON object for the admin
 * page. Counters are totals since the start; a reader computes rates from two answers and their {@code time}.
 *
 * <pre>{@code
 * {"time":"...","startedAt":"...","uptimeSeconds":93,
 *  "connections":{"sse":3,"longpoll":1,"websocket":0},"subscriptions":5,
 *  "messages":{"published":1234,"duplicates":0,"delivered":{"sse":4321,"longpoll":17}},
 *  "sentBytes":123456,"append":{"count":1234,"meanMs":0.4,"p50Ms":0.3,"p99Ms":1.9},
 *  "store":{"epoch":"k2x9q0b1cd","head":1234,"writable":true},
 *  "selectors":[{"selector":"meters/+/reading","subscriptions":2},...],
 *  "jvm":{"heapUsedBytes":...,"heapMaxBytes":...,"threads":31}}
 * }</pre>
 *
 * <p>Without the credential, or with another, the answer is 401: the numbers say who uses the server.
 */
public final class AdminStatsEndpoint implements Endpoint {
    /** The most selectors listed, busiest first. */
    static final int MAX_SELECTORS = 50;

    private final byte[] token;
    private final Metrics metrics;
    private final Hub hub;
    private final Clock clock;
    private final Instant startedAt;

    /** @param token the admin credential, compared in constant time */
    public AdminStatsEndpoint(String token, Metrics metrics, Hub hub, Clock clock) {
        this.token = requireNonNull(token, "token").getBytes(StandardCharsets.UTF_8);
        if (this.token.length == 0) {
            throw new IllegalArgumentException("token: empty (expected: the admin credential)");
        }
        this.metrics = requireNonNull(metrics, "metrics");
        this.hub = requireNonNull(hub, "hub");
        this.clock = requireNonNull(clock, "clock");
        this.startedAt = clock.instant();
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        checkCredential(request);
        var response = Responses.of(HttpResponseStatus.OK, Responses.JSON, stats().toString());
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        Responses.send(ctx, request, response);
    }

    private void checkCredential(FullHttpRequest request) {
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw refusal("Send the admin token: Authorization: Bearer <admin.token>. `./herald serve` prints it "
                    + "when the configuration sets none.");
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token)) {
            throw refusal("That is not the admin token.");
        }
    }

    private static RuntimeException refusal(String detail) {
        return Problem.of(HttpResponseStatus.UNAUTHORIZED, "admin-credentials-required", detail).exception();
    }

    ObjectNode stats() {
        MeterRegistry registry = metrics.registry();
        Instant now = clock.instant();
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("time", now.toString());
        root.put("startedAt", startedAt.toString());
        root.put("uptimeSeconds", Duration.between(startedAt, now).toSeconds());

        ObjectNode connections = root.putObject("connections");
        for (String transport : new String[] {"sse", "longpoll", "websocket"}) {
            connections.put(transport, 0);
        }
        for (Gauge g : registry.find("herald.connections").gauges()) {
            connections.put(g.getId().getTag("transport"), (long) g.value());
        }
        root.put("subscriptions", hub.subscriptionCount());

        ObjectNode messages = root.putObject("messages");
        messages.put("published", count(registry, "herald.messages.published"));
        messages.put("duplicates", count(registry, "herald.messages.duplicates"));
        ObjectNode delivered = messages.putObject("delivered");
        for (Counter c : registry.find("herald.messages.delivered").counters()) {
            delivered.put(c.getId().getTag("transport"), (long) c.count());
        }
        root.put("sentBytes", count(registry, "herald.sent"));

        ObjectNode append = root.putObject("append");
        Timer timer = registry.find("herald.store.append").timer();
        if (timer != null) {
            append.put("count", timer.count());
            append.put("meanMs", round(timer.mean(TimeUnit.MILLISECONDS)));
            for (ValueAtPercentile p : timer.takeSnapshot().percentileValues()) {
                append.put("p" + Math.round(p.percentile() * 100) + "Ms", round(p.value(TimeUnit.MILLISECONDS)));
            }
        }

        ObjectNode store = root.putObject("store");
        store.put("epoch", hub.log().epoch());
        store.put("head", hub.log().head());
        store.put("writable", hub.log().isWritable());

        ArrayNode selectors = root.putArray("selectors");
        int listed = 0;
        for (Map.Entry<Selector, Integer> e : hub.subscriptionsBySelector().entrySet()) {
            if (listed++ == MAX_SELECTORS) {
                break;
            }
            selectors.addObject().put("selector", e.getKey().pattern()).put("subscriptions", e.getValue());
        }

        ObjectNode jvm = root.putObject("jvm");
        jvm.put("heapUsedBytes", (long) sum(registry, "jvm.memory.used"));
        jvm.put("heapMaxBytes", (long) sum(registry, "jvm.memory.max"));
        Gauge threads = registry.find("jvm.threads.live").gauge();
        jvm.put("threads", threads == null ? 0 : (long) threads.value());
        return root;
    }

    private static long count(MeterRegistry registry, String name) {
        Counter c = registry.find(name).counter();
        return c == null ? 0 : (long) c.count();
    }

    private static double sum(MeterRegistry registry, String name) {
        double total = 0;
        for (Gauge g : registry.find(name).tag("area", "heap").gauges()) {
            if (g.value() > 0) {
                total += g.value();
            }
        }
        return total;
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }
}
