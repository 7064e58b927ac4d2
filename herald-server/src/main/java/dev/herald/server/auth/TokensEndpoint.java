package dev.herald.server.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.token.TokenMinter;
import dev.herald.server.http.Endpoint;
import dev.herald.server.http.Problem;
import dev.herald.server.http.ProblemException;
import dev.herald.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/tokens}, signed with APP auth: an app's backend asks for a short-lived token for one of
 * its users, to hand to that user's browser. Body: {@code {"user": "alice", "subscribe": ["chat/#"],
 * "publish": ["chat/#"], "ttlSeconds": 900}}; answer: {@code {"token": "...", "expiresIn": 900}}. A backend
 * can mint the same tokens offline with its secret; this saves it a JWT library.
 */
public final class TokensEndpoint implements Endpoint {
    private static final Logger log = LoggerFactory.getLogger(TokensEndpoint.class);
    /** The lifetime of a token when the request names none. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Authenticator authenticator;
    private final TokenMinter minter;

    public TokensEndpoint(Authenticator authenticator, Clock clock) {
        this.authenticator = authenticator;
        this.minter = new TokenMinter(clock);
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        CompletableFuture<Principal> admitted = authenticator.authenticateChange(request, uri);
        if (admitted.isDone() && !admitted.isCompletedExceptionally()) {
            Principal principal = admitted.join();
            checkApp(principal);
            Responses.send(ctx, request, mint(principal, body(request)));
            return;
        }
        // Other nodes are asked whether the signature was used; the body is read now, before it is released.
        JsonNode body = body(request);
        admitted.whenCompleteAsync((principal, failure) -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            try {
                if (cause instanceof ProblemException e) {
                    throw e;
                }
                if (cause != null) {
                    throw new IllegalStateException("token request failed", cause);
                }
                checkApp(principal);
                Responses.send(ctx, request, mint(principal, body));
            } catch (ProblemException e) {
                Responses.send(ctx, request, e.problem());
            } catch (RuntimeException e) {
                log.error("POST /api/v1/tokens failed", e);
                Responses.send(ctx, request, Problem.of(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
                        "The server failed to answer this request; the failure is logged."));
            }
        }, ctx.executor());
    }

    private static void checkApp(Principal principal) {
        if (principal.app().isEmpty() || principal.user().isPresent()) {
            throw Problem.of(principal.app().isEmpty() ? HttpResponseStatus.UNAUTHORIZED : HttpResponseStatus.FORBIDDEN,
                    "app-signature-required", "Tokens are minted for an app's backend: sign this request with the "
                            + "app's key and secret (SDK-HMAC-SHA256).").exception();
        }
    }

    private static JsonNode body(FullHttpRequest request) {
        JsonNode body;
        try {
            body = JSON.readTree(request.content().toString(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw Problem.badRequest("malformed-json", "The body is not valid JSON: " + e.getOriginalMessage())
                    .exception();
        }
        if (body == null || !body.isObject() || !body.path("user").isTextual()) {
            throw Problem.badRequest("missing-field", "Send {\"user\": \"...\", \"subscribe\": [...], "
                    + "\"publish\": [...], \"ttlSeconds\": 900}.").exception();
        }
        return body;
    }

    private FullHttpResponse mint(Principal principal, JsonNode body) {
        Duration ttl = body.has("ttlSeconds") ? Duration.ofSeconds(body.get("ttlSeconds").asLong(-1)) : DEFAULT_TTL;
        String token;
        try {
            token = minter.mint(principal.app().get(), body.get("user").textValue(), strings(body, "subscribe"),
                    strings(body, "publish"), ttl);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("invalid-token-request", e.getMessage()).exception();
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("token", token);
        answer.put("expiresIn", ttl.toSeconds());
        return Responses.of(HttpResponseStatus.OK, Responses.JSON, answer.toString());
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode list = body.get(field);
        List<String> result = new ArrayList<>();
        if (list == null || list.isNull()) {
            return result;
        }
        if (!list.isArray()) {
            throw Problem.badRequest("malformed-field", "Field " + field + " must be a list of topic patterns.")
                    .exception();
        }
        for (JsonNode item : list) {
            if (!item.isTextual()) {
                throw Problem.badRequest("malformed-field", "Field " + field + " must hold strings.").exception();
            }
            result.add(item.textValue());
        }
        return result;
    }
}
