package dev.herald.server.poll;

import static java.util.Objects.requireNonNull;

import dev.herald.core.Hub;
import dev.herald.core.Subscription;
import dev.herald.core.Topic;
import dev.herald.server.auth.AuthFailure;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Principal;
import dev.herald.server.auth.TopicGuard;
import dev.herald.server.http.Endpoint;
import dev.herald.server.http.Problem;
import dev.herald.server.http.Responses;
import dev.herald.server.json.MessageJson;
import dev.herald.server.ops.Metrics;
import dev.herald.server.presence.Attendance;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

/**
 * {@code GET /api/v1/poll?topic=a&topic=b/+&cursor=<id>&timeout=25&limit=500}: the messages after
 * {@code cursor} on the topics the selectors match, as one JSON answer. A long poll ({@code timeout} seconds,
 * 1 to 55) answers as soon as there is a message, else empty at the timeout; a plain poll ({@code timeout=0})
 * answers at once with what history has. Without a cursor, a poll begins now, or with the last
 * {@code history=N} messages. Authentication and permissions are those of the stream.
 *
 * <p>The answer's {@code cursor} is the next poll's: the server keeps nothing between polls.
 */
public final class PollEndpoint implements Endpoint {
    private final Hub hub;
    private final Authenticator authenticator;
    private final MessageJson json;
    private final Metrics metrics;
    private final int maxTopics;
    private final int maxHistory;
    private final Attendance attendance;

    /**
     * @param json the server's one message JSON encoding, shared with the other transports that send JSON so that
     *     each message is encoded once
     * @param maxTopics {@code limits.maxTopicsPerSubscription}
     * @param maxHistory {@code limits.maxHistory}
     */
    public PollEndpoint(Hub hub, Authenticator authenticator, MessageJson json, Metrics metrics, int maxTopics,
            int maxHistory) {
        this(hub, authenticator, json, metrics, maxTopics, maxHistory, Attendance.NONE);
    }

    /** As the other constructor, with each poll making its user present on the topics it names for a while. */
    public PollEndpoint(Hub hub, Authenticator authenticator, MessageJson json, Metrics metrics, int maxTopics,
            int maxHistory, Attendance attendance) {
        this.hub = requireNonNull(hub, "hub");
        this.authenticator = requireNonNull(authenticator, "authenticator");
        this.json = requireNonNull(json, "json");
        this.metrics = requireNonNull(metrics, "metrics");
        this.maxTopics = maxTopics;
        this.maxHistory = maxHistory;
        this.attendance = requireNonNull(attendance, "attendance");
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        Principal principal = authenticator.authenticate(request, uri);
        PollRequest poll = PollRequest.parse(uri, maxTopics, maxHistory);
        Predicate<Topic> permitted = TopicGuard.readFilter(principal, poll.selectors());
        Duration hold = poll.timeout();
        if (principal.expires().isPresent()) {
            hold = untilExpiry(principal.expires().get(), hold);
        }
        if (request.method().equals(HttpMethod.HEAD)) {
            var head = Responses.of(HttpResponseStatus.OK, Responses.JSON, Unpooled.EMPTY_BUFFER);
            head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
            Responses.send(ctx, request, head);
            return;
        }
        attendance.poll(principal, poll.selectors(), poll.timeout());
        Poll held = new Poll(ctx.channel(), hub, json, metrics, poll.limit(), poll.timeout().isZero(), hold,
                HttpUtil.isKeepAlive(request));
        // Callbacks run on this event loop, after this task: the handler is in place and bound before any.
        Subscription subscription = hub.subscribe(poll.selectors(), permitted, poll.start(), held);
        ctx.pipeline().addBefore(ctx.name(), null, held);
        held.bind(subscription);
    }

    /**
     * A poll is never held past its token's expiry; from then on, polls are refused, though the verifier would
     * accept the token for its clock-skew leeway: else each would be answered at once, and a client polling
     * in a loop would spin until the leeway ran out instead of renewing its token.
     */
    private static Duration untilExpiry(Instant expires, Duration timeout) {
        Duration left = Duration.between(Instant.now(), expires);
        if (left.isNegative() || left.isZero()) {
            throw Problem.of(HttpResponseStatus.UNAUTHORIZED, AuthFailure.Reason.EXPIRED.type(),
                    "The token expired at " + expires + "; renew it and poll again from your cursor.").exception();
        }
        return left.compareTo(timeout) < 0 ? left : timeout;
    }
}
