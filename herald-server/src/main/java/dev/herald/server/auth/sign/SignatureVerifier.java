package dev.herald.server.auth.sign;

import static java.util.Objects.requireNonNull;

import dev.herald.server.auth.App;
import dev.herald.server.auth.AuthFailure;
import dev.herald.server.auth.AuthFailure.Reason;
import dev.herald.server.auth.sign.CanonicalRequest.InvalidRequestException;
import dev.herald.server.auth.sign.CanonicalRequest.QueryDecoding;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Verifies SDK-HMAC-SHA256 ("APP" authentication) on a request as it arrived:
 *
 * <pre>
 * Authorization: SDK-HMAC-SHA256 Access=&lt;AppKey&gt;, SignedHeaders=&lt;h1;h2;...&gt;, Signature=&lt;hex&gt;
 * X-Sdk-Date:    yyyyMMdd'T'HHmmss'Z'
 * </pre>
 *
 * <p>In order: the {@code Authorization} header is parsed strictly; {@code x-sdk-date} and {@code host} must be
 * among the signed headers; {@code X-Sdk-Date} must be within {@link #WINDOW} of the clock, either way
 * (else {@code EXPIRED} or {@code NOT_YET_VALID}); the AppKey must name an app ({@code UNKNOWN_KEY}); the
 * signature is recomputed from the {@linkplain CanonicalRequest canonical request} and compared in constant
 * time ({@code SIGNATURE_MISMATCH}); a signed hex {@code X-Sdk-Content-Sha256} must be the body's hash; and a
 * state-changing request (any method but GET, HEAD and OPTIONS) is accepted once ({@code REPLAYED}), while a
 * subscription may be re-sent inside the window, as EventSource polyfills do on reconnect.
 *
 * <p>{@code Host} is verified as it arrived: behind a proxy, the client's {@code Host} must be forwarded.
 * Headers that are not signed are ignored, so a proxy may add them.
 *
 * <p><b>Two query forms.</b> The JavaScript SDK does not send the URL it was given: it sends its canonical
 * query (every reserved character escaped), on which {@code decodeURI} would escape a second time. A browser
 * (and {@code herald-sign.js}, and {@link Signer}) sends the URL as it was signed. The signature is therefore
 * checked against the canonical request with the query decoded by {@link QueryDecoding#DECODE_URI} and, only
 * if the query holds an escape of a reserved character and that did not match, by
 * {@link QueryDecoding#DECODE_URI_COMPONENT}. Both are functions of the bytes received; neither can match
 * without the secret.
 *
 * <p><b>In a cluster</b> a state-changing request must not be accepted by two nodes either: {@link #verifyChange}
 * asks the {@link SeenSignatures} that the nodes share after this node's {@link ReplayGuard}, and {@link #verify}
 * refuses to verify such a request on its own.
 *
 * <p>A refusal's detail is safe to send to the client: it never holds the expected signature, the canonical
 * request or how close a signature came. Thread-safe.
 */
public final class SignatureVerifier {
    /** How far {@code X-Sdk-Date} may be from the server's clock, in either direction. */
    public static final Duration WINDOW = Duration.ofMinutes(15);

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern DATE_SHAPE = Pattern.compile("[0-9]{8}T[0-9]{6}Z");
    private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]+");
    private static final Pattern SIGNATURE = Pattern.compile("[0-9a-f]{64}");
    private static final List<String> PARAMETERS = List.of("Access", "SignedHeaders", "Signature");
    private static final String MISMATCH = "The signature does not match the request. Usual causes: a wrong"
            + " AppSecret; a signed header changed on the way (by a proxy); a Host other than the one signed, port"
            + " included (a proxy must forward the client's Host); a body changed after signing; a path or query"
            + " changed or re-encoded after signing.";

    private final Function<String, Optional<App>> keys;
    private final Clock clock;
    private final ReplayGuard replayGuard;
    private final SeenSignatures seen;

    /**
     * A verifier for one node on its own.
     *
     * @param keys finds an app by its AppKey
     * @param clock the clock {@code X-Sdk-Date} is checked against
     * @param replayGuard remembers accepted state-changing requests
     */
    public SignatureVerifier(Function<String, Optional<App>> keys, Clock clock, ReplayGuard replayGuard) {
        this(keys, clock, replayGuard, SeenSignatures.THIS_NODE_ONLY);
    }

    /**
     * A verifier for a node of a cluster.
     *
     * @param seen the accepted signatures that the cluster's nodes share
     */
    public SignatureVerifier(Function<String, Optional<App>> keys, Clock clock, ReplayGuard replayGuard,
            SeenSignatures seen) {
        this.keys = requireNonNull(keys, "keys");
        this.clock = requireNonNull(clock, "clock");
        this.replayGuard = requireNonNull(replayGuard, "replayGuard");
        this.seen = requireNonNull(seen, "seen");
    }

    /** The outcome of {@link #verify}. */
    public sealed interface Result {
        /** The request was signed by {@code app} and may be acted on as the app's. */
        record Verified(App app) implements Result {
            public Verified {
                requireNonNull(app, "app");
            }
        }

        /** The request was refused; the failure's detail may be sent to the client. */
        record Refused(AuthFailure failure) implements Result {
            public Refused {
                requireNonNull(failure, "failure");
            }
        }
    }

    /**
     * Verifies a request's signature.
     *
     * @param request the request as received; its {@code uri()} is the raw request target
     * @param body the complete body (empty if none)
     * @throws IllegalStateException for a state-changing request when the verifier shares its signatures with
     *     other nodes: that takes {@link #verifyChange}
     */
    public Result verify(HttpRequest request, byte[] body) {
        requireNonNull(request, "request");
        requireNonNull(body, "body");
        if (seen != SeenSignatures.THIS_NODE_ONLY && isStateChanging(request.method().name())) {
            throw new IllegalStateException(request.method() + " changes state: verify it with verifyChange, which "
                    + "asks the other nodes whether they accepted it");
        }
        return checked(request, body).result();
    }

    /**
     * Verifies a request's signature and, for a state-changing request, that no node accepted it before. Never
     * blocks; the future is complete on return unless the other nodes must be asked, and then completes on
     * another thread. It fails when they cannot be asked now: the request must be refused (it may be signed
     * afresh and sent again).
     */
    public CompletableFuture<Result> verifyChange(HttpRequest request, byte[] body) {
        requireNonNull(request, "request");
        requireNonNull(body, "body");
        Checked checked = checked(request, body);
        if (!(checked.result() instanceof Result.Verified) || checked.signature() == null
                || seen == SeenSignatures.THIS_NODE_ONLY) {
            return CompletableFuture.completedFuture(checked.result());
        }
        String method = request.method().name();
        return seen.claim(checked.signature(), checked.expires(), checked.now()).toCompletableFuture()
                .thenApply(first -> first ? checked.result() : replayed(method));
    }

    /** What a check found; for a state-changing request accepted here, what the other nodes are asked about. */
    private record Checked(Result result, byte[] signature, Instant expires, Instant now) {
    }

    private Checked checked(HttpRequest request, byte[] body) {
        try {
            return check(request, body);
        } catch (InvalidRequestException e) {
            return new Checked(new Result.Refused(e.failure()), null, null, null);
        }
    }

    private static Result replayed(String method) {
        return refused(Reason.REPLAYED, "This signed " + method + " request was already accepted; sign each"
                + " state-changing request afresh (a request identical to another within the same second"
                + " signs alike: make it differ, e.g. by a message id)");
    }

    private Checked check(HttpRequest request, byte[] body) {
        Credentials credentials = Credentials.parse(request.headers().getAll(HttpHeaderNames.AUTHORIZATION));
        if (!credentials.signedHeaders.contains("x-sdk-date")) {
            throw malformed("Authorization: SignedHeaders=" + CanonicalRequest.shorten(credentials.signedHeaderText)
                    + " (expected: x-sdk-date among them)");
        }
        if (!credentials.signedHeaders.contains("host")) {
            throw malformed("Authorization: SignedHeaders=" + CanonicalRequest.shorten(credentials.signedHeaderText)
                    + " (expected: host among them, so that the request cannot be sent to another host)");
        }
        List<String> dates = request.headers().getAll("X-Sdk-Date");
        if (dates.size() != 1) {
            throw malformed(dates.isEmpty() ? "X-Sdk-Date header is missing (expected: yyyyMMdd'T'HHmmss'Z', UTC)"
                    : "X-Sdk-Date appears " + dates.size() + " times (expected: once)");
        }
        String xSdkDate = CanonicalRequest.jsTrim(dates.get(0));
        Instant date = parseDate(xSdkDate);
        Instant now = clock.instant();
        if (date.isBefore(now.minus(WINDOW))) {
            return refusal(Reason.EXPIRED, "X-Sdk-Date: " + xSdkDate + " is more than 15 minutes before the"
                    + " server's time, " + Signer.DATE_FORMAT.format(now) + "; sign the request again (a"
                    + " reconnecting event stream must be signed afresh)");
        }
        if (date.isAfter(now.plus(WINDOW))) {
            return refusal(Reason.NOT_YET_VALID, "X-Sdk-Date: " + xSdkDate + " is more than 15 minutes after the"
                    + " server's time, " + Signer.DATE_FORMAT.format(now) + "; check the client's clock");
        }

        String target = request.uri();
        checkOriginForm(target);
        Optional<App> found = keys.apply(credentials.access);
        if (found.isEmpty()) {
            return refusal(Reason.UNKNOWN_KEY, "Authorization: Access=" + CanonicalRequest.shorten(credentials.access)
                    + " names no app");
        }
        App app = found.get();
        String method = request.method().name();
        byte[] secret = app.secret().getBytes(StandardCharsets.UTF_8);

        CanonicalRequest canonical = CanonicalRequest.of(method, target, request.headers(),
                credentials.signedHeaders, body, QueryDecoding.DECODE_URI);
        boolean matches = MessageDigest.isEqual(credentials.signature,
                Signer.hmacSha256(secret, canonical.stringToSign(xSdkDate)));
        int q = target.indexOf('?');
        if (!matches && q >= 0 && CanonicalRequest.decodingsDiffer(target.substring(q + 1))) {
            canonical = CanonicalRequest.of(method, target, request.headers(), credentials.signedHeaders, body,
                    QueryDecoding.DECODE_URI_COMPONENT);
            matches = MessageDigest.isEqual(credentials.signature,
                    Signer.hmacSha256(secret, canonical.stringToSign(xSdkDate)));
        }
        if (!matches) {
            return refusal(Reason.SIGNATURE_MISMATCH, MISMATCH);
        }
        if (!canonical.bodyMatchesDeclaredHash()) {
            return refusal(Reason.SIGNATURE_MISMATCH, "The body is not the one signed: its SHA-256 is not the"
                    + " signed X-Sdk-Content-Sha256.");
        }
        if (!isStateChanging(method)) {
            return new Checked(new Result.Verified(app), null, null, null);
        }
        Instant expires = date.plus(WINDOW);
        if (!replayGuard.firstUse(credentials.signature, expires, now)) {
            return new Checked(replayed(method), null, null, null);
        }
        return new Checked(new Result.Verified(app), credentials.signature, expires, now);
    }

    private static Checked refusal(Reason reason, String detail) {
        return new Checked(refused(reason, detail), null, null, null);
    }

    /** GET, HEAD and OPTIONS change nothing and may be re-sent; every other method is accepted once. */
    static boolean isStateChanging(String method) {
        return !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
    }

    private static Instant parseDate(String value) {
        if (DATE_SHAPE.matcher(value).matches()) {
            try {
                return LocalDateTime.parse(value, DATE).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                // not a date: refused below
            }
        }
        throw malformed("X-Sdk-Date: " + CanonicalRequest.shorten(value) + " (expected: yyyyMMdd'T'HHmmss'Z', UTC,"
                + " e.g. 20240326T030801Z)");
    }

    /** Origin form, visible ASCII: what was signed must be what arrived, byte for byte. */
    private static void checkOriginForm(String target) {
        if (!target.startsWith("/")) {
            throw malformed("request target " + CanonicalRequest.shorten(target)
                    + " (expected: origin form, /path?query)");
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == '#') {
                throw malformed("request target has " + (c == '#' ? "'#'" : String.format("U+%04X", (int) c))
                        + " at index " + i + " (expected: visible ASCII, other characters %-encoded as UTF-8)");
            }
        }
    }

    private static Result refused(Reason reason, String detail) {
        return new Result.Refused(new AuthFailure(reason, detail));
    }

    private static InvalidRequestException malformed(String detail) {
        return new InvalidRequestException(new AuthFailure(Reason.MALFORMED, detail));
    }

    /** The parameters of {@code Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...}. */
    private record Credentials(String access, List<String> signedHeaders, String signedHeaderText,
            byte[] signature) {
        static Credentials parse(List<String> values) {
            if (values.size() != 1) {
                throw malformed(values.isEmpty() ? "Authorization header is missing (expected: "
                        + CanonicalRequest.ALGORITHM + " Access=..., SignedHeaders=..., Signature=...)"
                        : "Authorization appears " + values.size() + " times (expected: once)");
            }
            String value = values.get(0).strip();
            if (value.isEmpty()) {
                throw malformed("Authorization header is empty (expected: " + CanonicalRequest.ALGORITHM
                        + " Access=..., SignedHeaders=..., Signature=...)");
            }
            int space = value.indexOf(' ');
            String scheme = space < 0 ? value : value.substring(0, space);
            if (!scheme.equalsIgnoreCase(CanonicalRequest.ALGORITHM)) {
                throw new InvalidRequestException(new AuthFailure(Reason.UNSUPPORTED, "Authorization scheme "
                        + CanonicalRequest.shorten(scheme) + " (expected: " + CanonicalRequest.ALGORITHM + ")"));
            }
            String params = space < 0 ? "" : value.substring(space + 1).strip();
            if (params.isEmpty()) {
                throw malformed("Authorization: " + scheme + " without parameters (expected: Access=...,"
                        + " SignedHeaders=..., Signature=...)");
            }
            Map<String, String> found = new HashMap<>();
            for (String part : params.split(",", -1)) {
                String param = part.strip();
                int eq = param.indexOf('=');
                if (eq <= 0) {
                    throw malformed("Authorization: " + (param.isEmpty() ? "an empty parameter" : "parameter "
                            + CanonicalRequest.shorten(param)) + " (expected: Access=..., SignedHeaders=...,"
                            + " Signature=..., separated by commas)");
                }
                String name = param.substring(0, eq);
                String v = param.substring(eq + 1);
                if (!PARAMETERS.contains(name)) {
                    throw malformed("Authorization: unknown parameter " + CanonicalRequest.shorten(name)
                            + "= (expected: Access, SignedHeaders, Signature)");
                }
                if (v.isEmpty() || v.chars().anyMatch(c -> c <= 0x20 || c >= 0x7F)) {
                    throw malformed("Authorization: " + name + "= (expected: a value of visible ASCII)");
                }
                if (found.put(name, v) != null) {
                    throw malformed("Authorization: " + name + "= given twice (expected: once)");
                }
            }
            for (String name : PARAMETERS) {
                if (!found.containsKey(name)) {
                    throw malformed("Authorization: " + name + "= is missing (expected: Access=...,"
                            + " SignedHeaders=..., Signature=...)");
                }
            }
            String access = found.get("Access");
            String signedHeaders = found.get("SignedHeaders");
            String signature = found.get("Signature");
            if (!SIGNATURE.matcher(signature).matches()) {
                throw malformed("Authorization: Signature= is not 64 lowercase hex digits (it has "
                        + signature.length() + " characters)");
            }
            List<String> names = new ArrayList<>();
            Set<String> distinct = new HashSet<>();
            for (String name : signedHeaders.split(";", -1)) {
                if (!HEADER_NAME.matcher(name).matches()) {
                    throw malformed("Authorization: SignedHeaders= has " + (name.isEmpty() ? "an empty name"
                            : "the name " + CanonicalRequest.shorten(name)) + " (expected: lowercase header names"
                            + " separated by ';')");
                }
                if (!distinct.add(name)) {
                    throw malformed("Authorization: SignedHeaders= names " + name + " twice (expected: once)");
                }
                names.add(name);
            }
            return new Credentials(access, List.copyOf(names), signedHeaders, HexFormat.of().parseHex(signature));
        }
    }
}
