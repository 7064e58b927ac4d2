package dev.herald.server.presence;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.Selector;
import dev.herald.core.Topic;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Principal;
import dev.herald.server.auth.TopicGuard;
import dev.herald.server.http.Endpoint;
import dev.herald.server.http.Problem;
import dev.herald.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/presence?topic=chat/lobby}: the users present on one topic, as
 * {@code {"topic":"chat/lobby","users":[{"username":"alice"},...]}}, sorted by name. Whoever may subscribe to
 * the topic may ask; the same 401 and 403 otherwise. In a cluster the answer waits for the nodes' shared store,
 * and is 503 {@code presence-unavailable} while that does not answer.
 */
public final class PresenceEndpoint implements Endpoint {
    private static final Logger log = LoggerFactory.getLogger(PresenceEndpoint.class);

    private final Authenticator authenticator;
    private final Attendance attendance;

    public PresenceEndpoint(Authenticator authenticator, Attendance attendance) {
        this.authenticator = requireNonNull(authenticator, "authenticator");
        this.attendance = requireNonNull(attendance, "attendance");
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        Principal principal = authenticator.authenticate(request, uri);
        List<String> values = uri.parameters().getOrDefault("topic", List.of());
        if (values.size() != 1) {
            throw Problem.badRequest("missing-topic", "Name one topic: /api/v1/presence?topic=chat/lobby.")
                    .exception();
        }
        Topic topic;
        try {
            topic = Topic.of(values.get(0));
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("invalid-topic", e.getMessage()).exception();
        }
        TopicGuard.readFilter(principal, List.of(Selector.of(topic)));
        if (!attendance.tracks(topic)) {
            throw Problem.of(HttpResponseStatus.NOT_FOUND, "presence-not-tracked", "Presence is not tracked on '"
                    + topic + "'; the server tracks it on the topics in topics.presence.").exception();
        }
        attendance.presence().list(topic).whenCompleteAsync((present, failure) -> {
            if (failure != null) {
                // The presence logs the store's outage; each request it cannot answer is not.
                log.debug("presence on {} not listed: {}", topic, failure.toString());
                Responses.send(ctx, request, Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "presence-unavailable", "The server cannot tell now who is present: the store the "
                                + "cluster's nodes share it in does not answer. Ask again shortly.")
                        .retryAfter(Duration.ofSeconds(1)));
                return;
            }
            Responses.send(ctx, request, answer(topic, present));
        }, ctx.executor());
    }

    private static FullHttpResponse answer(Topic topic, List<String> present) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("topic", topic.name());
        ArrayNode users = body.putArray("users");
        for (String user : present) {
            users.addObject().put("username", user);
        }
        FullHttpResponse response = Responses.of(HttpResponseStatus.OK, Responses.JSON, body.toString());
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }
}
