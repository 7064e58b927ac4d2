package dev.herald.server.publish;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Hub;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Principal;
import dev.herald.server.auth.TopicGuard;
import dev.herald.server.limits.RateLimiter;
import dev.herald.server.http.Endpoint;
import dev.herald.server.http.Problem;
import dev.herald.server.http.Responses;
import dev.herald.server.ops.Metrics;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/publish}: validates the whole body, appends it as one batch, and answers once the log
 * made it durable, naming each message's id. A publish that was refused stored nothing.
 */
public final class PublishEndpoint implements Endpoint {
    private static final Logger log = LoggerFactory.getLogger(PublishEndpoint.class);
    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";

    private final Hub hub;
    private final PublishParser parser;
    private final Authenticator authenticator;
    private final RateLimiter<String> appRates;
    private final int defaultAppRate;
    private final Metrics metrics;

    /**
     * @param appRates publish rates by AppKey
     * @param defaultAppRate messages per second for an app that sets no rate of its own
     */
    public PublishEndpoint(Hub hub, PublishParser parser, Authenticator authenticator, RateLimiter<String> appRates,
            int defaultAppRate, Metrics metrics) {
        this.hub = hub;
        this.parser = parser;
        this.authenticator = authenticator;
        this.appRates = appRates;
        this.defaultAppRate = defaultAppRate;
        this.metrics = metrics;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        Principal principal = authenticator.authenticate(request, uri);
        byte[] body = ByteBufUtil.getBytes(request.content());
        PublishParser.Parsed parsed = switch (mediaType(request)) {
            case JSON -> parser.json(body);
            case FORM -> parser.form(body);
            default -> throw new IllegalStateException("unreachable");
        };
        for (Draft draft : parsed.drafts()) {
            TopicGuard.checkPublish(principal, draft.topic());
        }
        principal.app().ifPresent(app -> {
            int rate = app.publishPerSecond() > 0 ? app.publishPerSecond() : defaultAppRate;
            appRates.acquire(app.key(), parsed.drafts().size(), rate, 2.0 * rate).ifPresent(wait -> {
                throw Problem.of(HttpResponseStatus.TOO_MANY_REQUESTS, "publish-rate", "App " + app.name()
                        + " publishes faster than its limit of " + rate + " messages per second.")
                        .retryAfter(wait).exception();
            });
        });
        if (!hub.log().isWritable()) {
            throw unavailable().exception();
        }
        long started = System.nanoTime();
        // Answer on the channel's event loop: the log's writer thread must go straight back to writing.
        hub.publish(parsed.drafts()).whenCompleteAsync((appended, failure) -> {
            if (failure != null) {
                log.warn("publish of {} messages failed: {}", parsed.drafts().size(), failure.toString());
                Responses.send(ctx, request, unavailable());
                return;
            }
            metrics.appended(Duration.ofNanos(System.nanoTime() - started));
            int duplicates = (int) appended.stream().filter(Appended::duplicate).count();
            metrics.published(appended.size() - duplicates, duplicates);
            Responses.send(ctx, request, Responses.of(HttpResponseStatus.OK, Responses.JSON,
                    answer(appended, parsed.batch())));
        }, ctx.executor());
    }

    private String answer(List<Appended> appended, boolean batch) {
        if (!batch) {
            return describe(appended.get(0)).toString();
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode messages = body.putArray("messages");
        appended.forEach(a -> messages.add(describe(a)));
        return body.toString();
    }

    private ObjectNode describe(Appended a) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", hub.cursorOf(a.message()).token());
        node.put("topic", a.message().topic().name());
        node.put("duplicate", a.duplicate());
        return node;
    }

    private static Problem unavailable() {
        return Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "store-unavailable",
                "The message store cannot accept messages now; nothing was stored. Try again shortly.")
                .retryAfter(Duration.ofSeconds(1));
    }

    private static String mediaType(FullHttpRequest request) {
        CharSequence mime = HttpUtil.getMimeType(request);
        if (mime == null) {
            throw Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
                    "Say what the body is: Content-Type: application/json or "
                            + "application/x-www-form-urlencoded.").exception();
        }
        String type = mime.toString().trim().toLowerCase(Locale.ROOT);
        if (!type.equals(JSON) && !type.equals(FORM)) {
            throw Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Content-Type "
                    + type + " is not accepted (expected: application/json or application/x-www-form-urlencoded)."
            ).exception();
        }
        Charset charset = HttpUtil.getCharset(request, StandardCharsets.UTF_8);
        if (!charset.equals(StandardCharsets.UTF_8) && !charset.equals(StandardCharsets.US_ASCII)) {
            throw Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-charset", "charset "
                    + charset.name() + " is not accepted (expected: utf-8).").exception();
        }
        return type;
    }
}
