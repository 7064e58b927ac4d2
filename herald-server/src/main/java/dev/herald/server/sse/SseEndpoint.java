package dev.herald.server.sse;

import dev.herald.core.Cursor;
import dev.herald.core.Hub;
import dev.herald.core.Selector;
import dev.herald.core.Start;
import dev.herald.core.Topic;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Principal;
import dev.herald.server.auth.TopicGuard;
import dev.herald.server.http.Endpoint;
import dev.herald.server.http.Problem;
import dev.herald.server.http.RequestHandlers;
import dev.herald.server.http.TopicParameters;
import dev.herald.server.ops.Metrics;
import dev.herald.server.presence.Attendance;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code GET /api/v1/stream?topic=a&topic=b/+}: an event stream of every message on the topics the selectors
 * match, resuming after {@code Last-Event-ID} (or the {@code lastEventId} query parameter that polyfills send),
 * or starting with the last {@code history=N} messages.
 */
public final class SseEndpoint implements Endpoint {
    private final Hub hub;
    private final Authenticator authenticator;
    private final SseEncoder encoder;
    private final Heartbeats heartbeats;
    private final Metrics metrics;
    private final ChannelGroup streams;
    private final Duration retry;
    private final int maxTopics;
    private final int maxHistory;
    private final List<String> defaultTopics;
    private final Attendance attendance;

    /**
     * @param streams every open stream, so that shutdown can tell them to come back
     * @param defaultTopics topics streamed when the request names none; empty to require {@code topic}
     */
    public SseEndpoint(Hub hub, Authenticator authenticator, SseEncoder encoder, Heartbeats heartbeats,
            Metrics metrics, ChannelGroup streams, Duration retry, int maxTopics, int maxHistory,
            List<String> defaultTopics) {
        this(hub, authenticator, encoder, heartbeats, metrics, streams, retry, maxTopics, maxHistory, defaultTopics,
                Attendance.NONE);
    }

    private SseEndpoint(Hub hub, Authenticator authenticator, SseEncoder encoder, Heartbeats heartbeats,
            Metrics metrics, ChannelGroup streams, Duration retry, int maxTopics, int maxHistory,
            List<String> defaultTopics, Attendance attendance) {
        this.hub = hub;
        this.authenticator = authenticator;
        this.encoder = encoder;
        this.heartbeats = heartbeats;
        this.metrics = metrics;
        this.streams = streams;
        this.retry = retry;
        this.maxTopics = maxTopics;
        this.maxHistory = maxHistory;
        this.defaultTopics = List.copyOf(defaultTopics);
        this.attendance = attendance;
    }

    /** The same stream, answering requests that name no topic with {@code topics}. */
    public SseEndpoint withDefaultTopics(List<String> topics) {
        return new SseEndpoint(hub, authenticator, encoder, heartbeats, metrics, streams, retry, maxTopics,
                maxHistory, topics, attendance);
    }

    /** The same stream, making its user present on the topics it names (see {@link Attendance}). */
    public SseEndpoint withAttendance(Attendance attendance) {
        return new SseEndpoint(hub, authenticator, encoder, heartbeats, metrics, streams, retry, maxTopics,
                maxHistory, defaultTopics, attendance);
    }

    /** Whether a request asks for an event stream (EventSource sends {@code Accept: text/event-stream}). */
    public static boolean wantsEventStream(FullHttpRequest request) {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
        return accept.contains("text/event-stream");
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        Principal principal = authenticator.authenticate(request, uri);
        Set<Selector> selectors = selectors(uri);
        Predicate<Topic> permitted = TopicGuard.readFilter(principal, selectors);
        Start start = start(request, uri);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set("x-accel-buffering", "no");
        if (request.method().equals(HttpMethod.HEAD)) {
            HttpUtil.setContentLength(head, 0);
            ctx.write(head);
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, true);

        // The connection is a stream from now on: the stream takes the router's place, and with it whatever
        // the client sends after.
        SseStream stream = new SseStream(ctx.channel(), encoder, heartbeats, metrics);
        ctx.pipeline().replace(ctx.handler(), "sse", stream);
        ctx.write(head);
        ctx.writeAndFlush(new DefaultHttpContent(SseEncoder.preamble(retry)));
        RequestHandlers.dropForStream(ctx.pipeline());
        streams.add(ctx.channel());
        String connection = ctx.channel().id().asLongText();
        stream.bind(hub.subscribe(selectors, permitted, start, stream),
                () -> attendance.join(principal, selectors, connection));
        principal.expires().ifPresent(stream::endAt);
    }

    private Set<Selector> selectors(QueryStringDecoder uri) {
        return TopicParameters.selectors(uri.parameters().getOrDefault("topic", defaultTopics), maxTopics, "stream",
                "/api/v1/stream");
    }

    private Start start(FullHttpRequest request, QueryStringDecoder uri) {
        String cursor = request.headers().get("Last-Event-ID");
        if (cursor == null || cursor.isEmpty()) {
            cursor = first(uri, "lastEventId");
        }
        if (cursor != null && !cursor.isEmpty()) {
            try {
                return Start.after(Cursor.parse(cursor.trim()));
            } catch (IllegalArgumentException e) {
                throw Problem.badRequest("malformed-cursor", "Last-Event-ID: " + e.getMessage()).exception();
            }
        }
        String history = first(uri, "history");
        if (history != null) {
            int n;
            try {
                n = Integer.parseInt(history);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || n > maxHistory) {
                throw Problem.badRequest("invalid-history", "history: '" + history + "' (expected: 0 to "
                        + maxHistory + ", the number of past messages to replay; limits.maxHistory)").exception();
            }
            return n == 0 ? Start.now() : Start.last(n);
        }
        return Start.now();
    }

    private static String first(QueryStringDecoder uri, String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
