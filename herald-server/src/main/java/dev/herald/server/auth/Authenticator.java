package dev.herald.server.auth;

import dev.herald.server.auth.sign.SignatureVerifier;
import dev.herald.server.auth.token.TokenSources;
import dev.herald.server.auth.token.TokenVerifier;
import dev.herald.server.http.Problem;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out who sent a request: an app by its SDK-HMAC-SHA256 signature, a user by a token its app minted
 * (header, {@code access_token} parameter or cookie), or nobody, who may use the public topics. Credentials
 * that are present but wrong are refused (401), never taken as anonymous.
 *
 * <p>A browser request from an origin that neither the configuration nor the principal's app allows is
 * refused (403) even when CORS would let the browser send it, so that a page elsewhere cannot publish
 * with a user's cookie.
 *
 * <p>A request that changes state (a publish, a token) is authenticated with {@link #authenticateChange}: in a
 * cluster, whether its signature was already accepted is a question for every node.
 */
public final class Authenticator {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    private static final String SIGNATURE_SCHEME = "SDK-HMAC-SHA256";

    private final Access access;
    private final SignatureVerifier signatures;
    private final TokenVerifier tokens;

    public Authenticator(Access access, SignatureVerifier signatures, TokenVerifier tokens) {
        this.access = access;
        this.signatures = signatures;
        this.tokens = tokens;
    }

    /** @throws dev.herald.server.http.ProblemException 401 or 403, saying what the client can fix */
    public Principal authenticate(FullHttpRequest request, QueryStringDecoder uri) {
        Principal principal = identify(request, uri);
        checkOrigin(request, principal);
        return principal;
    }

    /**
     * {@link #authenticate}, for a request that changes state: a signed one is accepted once across every node
     * (see {@link SignatureVerifier#verifyChange}). Never blocks.
     *
     * @return the principal; complete on return unless other nodes must be asked. It fails with a
     *     {@link dev.herald.server.http.ProblemException}: 401 {@code replayed}, or 503 when the nodes cannot
     *     be asked now.
     * @throws dev.herald.server.http.ProblemException 401 or 403 for what can be told at once
     */
    public CompletableFuture<Principal> authenticateChange(FullHttpRequest request, QueryStringDecoder uri) {
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (!isSigned(authorization)) {
            return CompletableFuture.completedFuture(authenticate(request, uri));
        }
        CompletableFuture<SignatureVerifier.Result> verified = signatures.verifyChange(request,
                ByteBufUtil.getBytes(request.content()));
        if (verified.isDone() && !verified.isCompletedExceptionally()) {
            // Refusals that need no other node are answered at once, before anything else about the request.
            return CompletableFuture.completedFuture(admit(request, verified.join()));
        }
        return verified.handle((result, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                // The store's outage is logged by the log; each request it refuses is not.
                log.debug("cannot tell whether a signed request was already accepted: {}", cause.toString());
                throw Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "signature-check-unavailable",
                        "The server cannot tell now whether this signed request was already accepted, so it did "
                                + "nothing. Sign the request afresh and send it again shortly.")
                        .retryAfter(Duration.ofSeconds(1)).exception();
            }
            return admit(request, result);
        });
    }

    private Principal admit(FullHttpRequest request, SignatureVerifier.Result result) {
        if (result instanceof SignatureVerifier.Result.Verified v) {
            Principal principal = Principal.of(v.app());
            checkOrigin(request, principal);
            return principal;
        }
        throw unauthorized(((SignatureVerifier.Result.Refused) result).failure());
    }

    private static boolean isSigned(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, SIGNATURE_SCHEME, 0,
                SIGNATURE_SCHEME.length());
    }

    private Principal identify(FullHttpRequest request, QueryStringDecoder uri) {
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (isSigned(authorization)) {
            SignatureVerifier.Result result = signatures.verify(request, ByteBufUtil.getBytes(request.content()));
            if (result instanceof SignatureVerifier.Result.Verified v) {
                return Principal.of(v.app());
            }
            throw unauthorized(((SignatureVerifier.Result.Refused) result).failure());
        }
        Optional<String> token = TokenSources.find(request, uri);
        if (token.isPresent()) {
            TokenVerifier.Result result = tokens.verify(token.get());
            if (result instanceof TokenVerifier.Verified v) {
                return v.principal();
            }
            throw unauthorized(((TokenVerifier.Refused) result).failure());
        }
        if (authorization != null) {
            int space = authorization.indexOf(' ');
            String scheme = space < 0 ? authorization : authorization.substring(0, space);
            throw unauthorized(new AuthFailure(AuthFailure.Reason.UNSUPPORTED, "Authorization scheme '"
                    + scheme + "' is not accepted (expected: SDK-HMAC-SHA256 or Bearer)."));
        }
        return Principal.anonymous(access.publicTopics());
    }

    private void checkOrigin(FullHttpRequest request, Principal principal) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null || isSameOrigin(origin, request.headers().get(HttpHeaderNames.HOST))) {
            return;
        }
        if (access.origins().contains("*") || access.origins().contains(origin)
                || principal.app().map(app -> app.origins().contains(origin)).orElse(false)) {
            return;
        }
        throw Problem.of(HttpResponseStatus.FORBIDDEN, "origin-not-allowed", "Requests from origin " + origin
                + " are not allowed" + principal.app().map(a -> " for app " + a.name()).orElse("")
                + "; add it to access.origins or to the app's origins.").exception();
    }

    private static boolean isSameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        String o = origin.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        return o.equals("http://" + h) || o.equals("https://" + h);
    }

    private static RuntimeException unauthorized(AuthFailure failure) {
        return Problem.of(HttpResponseStatus.UNAUTHORIZED, failure.reason().type(), failure.detail()).exception();
    }
}
