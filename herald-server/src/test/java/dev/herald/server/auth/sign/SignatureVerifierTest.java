package dev.herald.server.auth.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.server.LeakDetection;
import dev.herald.server.auth.App;
import dev.herald.server.auth.AuthFailure;
import dev.herald.server.auth.AuthFailure.Reason;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.sign.SignatureVerifier.Result;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way a signed request can be wrong is refused, with the reason the client can act on. */
@ExtendWith(LeakDetection.class)
class SignatureVerifierTest {
    static final Instant NOW = Instant.parse("2024-03-26T03:08:01Z");
    static final String KEY = "HERALDKEY0001";
    static final String SECRET = "s3cret-ünïcode-秘密";
    static final String HOST = "herald.example:8443";
    static final App APP = new App("app", KEY, SECRET, Permissions.NONE, List.of(), 100, List.of());
    static final App OTHER = new App("other", "OTHERKEY", "other-secret", Permissions.NONE, List.of(), 100,
            List.of());
    private static final String PUBLISH = "/api/v1/publish?topic=chat/room-42&ttl=60";
    private static final String BODY = "{\"topic\":\"chat/room-42\",\"data\":\"héllo\"}";

    private final Signer signer = new Signer(KEY, SECRET);
    private final ReplayGuard guard = new ReplayGuard();
    private final SignatureVerifier verifier = verifierAt(NOW);

    /** A request as it arrives, to tamper with. */
    static final class Wire {
        String method;
        String target;
        final HttpHeaders headers = new DefaultHttpHeaders();
        byte[] body;

        String authorization() {
            return headers.get("Authorization");
        }

        void authorization(String value) {
            headers.set("Authorization", value);
        }
    }

    private SignatureVerifier verifierAt(Instant now) {
        return new SignatureVerifier(k -> Stream.of(APP, OTHER).filter(a -> a.key().equals(k)).findFirst(),
                Clock.fixed(now, ZoneOffset.UTC), guard);
    }

    /** Verifies a request built as Netty's decoder would hand it over, releasing it afterwards. */
    static Result verify(SignatureVerifier verifier, String method, String target, HttpHeaders headers, byte[] body) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method),
                target, Unpooled.copiedBuffer(body), headers, new DefaultHttpHeaders());
        try {
            return verifier.verify(request, ByteBufUtil.getBytes(request.content()));
        } finally {
            request.release();
        }
    }

    private Result verify(Wire wire) {
        return verify(verifier, wire.method, wire.target, wire.headers, wire.body);
    }

    private Wire signed(Signer by, String method, String target, Map<String, String> headers, String body,
            Instant date) {
        Signer.Signed signed = by.sign(method, target, HOST, headers, bytes(body), date);
        Wire wire = new Wire();
        wire.method = method;
        wire.target = target;
        headers.forEach(wire.headers::add);
        wire.headers.add("Host", HOST);
        signed.headers().forEach(wire.headers::add);
        wire.body = bytes(body);
        return wire;
    }

    private Wire signed(String method, String target, Map<String, String> headers, String body) {
        return signed(signer, method, target, headers, body, NOW);
    }

    /** A publish: POST with a query, signed headers besides host and x-sdk-date, and a body. */
    private Wire publish() {
        return publish(NOW);
    }

    private Wire publish(Instant date) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Stage", "RELEASE");
        return signed(signer, "POST", PUBLISH, headers, BODY, date);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static AuthFailure refusal(Result result) {
        assertThat(result).isInstanceOf(Result.Refused.class);
        return ((Result.Refused) result).failure();
    }

    private static void assertRefused(Result result, Reason reason, String... detailParts) {
        AuthFailure failure = refusal(result);
        assertThat(failure.reason()).as(failure.detail()).isEqualTo(reason);
        assertThat(failure.detail()).isNotBlank();
        if (detailParts.length > 0) {
            assertThat(failure.detail()).contains(detailParts);
        }
    }

    @Test
    void aSignedRequestVerifies() {
        assertThat(verify(publish())).isEqualTo(new Result.Verified(APP));
    }

    // ---- tampering ----

    static Stream<Arguments> tamperings() {
        return Stream.of(
                tampering("method", w -> w.method = "PUT"),
                tampering("path", w -> w.target = w.target.replace("/publish", "/publish2")),
                tampering("path separator escaped", w -> w.target = w.target.replace("v1/publish", "v1%2Fpublish")),
                tampering("query value", w -> w.target = w.target.replace("ttl=60", "ttl=61")),
                tampering("query key", w -> w.target = w.target.replace("ttl=", "tt1=")),
                tampering("query parameter added", w -> w.target += "&admin=true"),
                tampering("query parameter removed", w -> w.target = w.target.replace("&ttl=60", "")),
                tampering("query values swapped between keys",
                        w -> w.target = "/api/v1/publish?topic=60&ttl=chat/room-42"),
                tampering("query value moved into a repeated key", w -> w.target = w.target.replace("ttl=", "topic=")),
                tampering("signed header value", w -> w.headers.set("X-Stage", "BETA")),
                tampering("signed header value case", w -> w.headers.set("Content-Type", "Application/JSON")),
                tampering("body", w -> w.body = bytes(BODY.replace("héllo", "hello"))),
                tampering("body emptied", w -> w.body = new byte[0]),
                tampering("Host without its port", w -> w.headers.set("Host", "herald.example")),
                tampering("Host of another server", w -> w.headers.set("Host", "evil.example:8443")),
                tampering("X-Sdk-Date a second later", w -> w.headers.set("X-Sdk-Date", "20240326T030802Z")),
                tampering("Access= another app's key",
                        w -> w.authorization(w.authorization().replace(KEY, OTHER.key()))),
                tampering("signature's last digit", w -> {
                    String a = w.authorization();
                    w.authorization(a.substring(0, a.length() - 1) + (a.endsWith("0") ? "1" : "0"));
                }));
    }

    private static Arguments tampering(String name, Consumer<Wire> change) {
        return Arguments.of(Named.of(name, change));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperings")
    void aTamperedRequestIsRefusedWithoutRevealingTheExpectedSignature(Consumer<Wire> change) {
        Wire wire = publish();
        change.accept(wire);
        AuthFailure failure = refusal(verify(wire));
        assertThat(failure.reason()).isEqualTo(Reason.SIGNATURE_MISMATCH);
        String expected = expectedSignature(wire);
        assertThat(failure.detail())
                .doesNotContain(expected)
                .doesNotContain(expected.substring(0, 8))
                .doesNotContainPattern("[0-9a-fA-F]{12}") // no signature, hash or part of one
                .doesNotContain("\n")                      // no canonical request
                .contains("wrong AppSecret", "proxy", "Host", "body");
    }

    /** What the server computes for a request: the signature the detail must never reveal. */
    private static String expectedSignature(Wire wire) {
        Matcher m = Pattern.compile("SignedHeaders=([^,]+)").matcher(wire.authorization());
        assertThat(m.find()).isTrue();
        String date = wire.headers.get("X-Sdk-Date");
        App app = wire.authorization().contains(OTHER.key()) ? OTHER : APP;
        CanonicalRequest canonical = CanonicalRequest.of(wire.method, wire.target, wire.headers,
                List.of(m.group(1).split(";")), wire.body);
        return HexFormat.of().formatHex(Signer.hmacSha256(bytes(app.secret()), canonical.stringToSign(date)));
    }

    static Stream<Arguments> equivalentForms() {
        return Stream.of(
                tampering("query reordered (it is sorted)",
                        w -> w.target = "/api/v1/publish?ttl=60&topic=chat/room-42"),
                tampering("trailing slash (/x and /x/ sign alike)", w -> w.target = w.target.replace("publish?",
                        "publish/?")),
                tampering("an unreserved character %-encoded", w -> w.target = w.target.replace("chat", "%63hat")),
                tampering("lowercase hex in an escape of a non-reserved byte", w -> w.target = w.target.replace(
                        "room", "r%6fom")),
                tampering("the query as the JavaScript SDK sends it",
                        w -> w.target = "/api/v1/publish?topic=chat%2Froom-42&ttl=60"),
                tampering("an unsigned header added by a proxy", w -> {
                    w.headers.add("X-Forwarded-For", "203.0.113.7");
                    w.headers.add("Via", "1.1 edge");
                    w.headers.add("Via", "1.1 lb");
                }),
                tampering("an unsigned X-Sdk-Content-Sha256 added", w -> w.headers.add("X-Sdk-Content-Sha256",
                        CanonicalRequest.sha256Hex(w.body))),
                tampering("white space around a signed header's value (as JavaScript trims it)",
                        w -> w.headers.set("X-Stage", "\u00A0RELEASE \t\u2003")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("equivalentForms")
    void whatTheSchemeDoesNotDistinguishVerifies(Consumer<Wire> change) {
        Wire wire = publish();
        change.accept(wire);
        assertThat(verify(wire)).isEqualTo(new Result.Verified(APP));
    }

    @Test
    void aBrowserEncodedQueryVerifiesAsSent() {
        // encodeURIComponent("alarms/#") is what a page puts in its URL; decodeURI keeps %2F and %23 encoded.
        Wire wire = signed("GET", "/api/v1/stream?topic=alarms%2F%23", Map.of(), "");
        assertThat(verify(wire)).isEqualTo(new Result.Verified(APP));
        wire.target = "/api/v1/stream?topic=alarms/%23";
        assertRefused(verify(wire), Reason.SIGNATURE_MISMATCH);
    }

    // ---- dates ----

    @Test
    void aDateMoreThan15MinutesOldIsExpired() {
        assertRefused(verify(publish(NOW.minus(Duration.ofMinutes(16)))), Reason.EXPIRED, "15 minutes",
                "20240326T030801Z");
        assertRefused(verify(publish(NOW.minus(Duration.ofMinutes(15)).minusSeconds(1))), Reason.EXPIRED);
    }

    @Test
    void aDateMoreThan15MinutesAheadIsNotYetValid() {
        assertRefused(verify(publish(NOW.plus(Duration.ofMinutes(16)))), Reason.NOT_YET_VALID, "15 minutes",
                "clock");
        assertRefused(verify(publish(NOW.plus(Duration.ofMinutes(15)).plusSeconds(1))), Reason.NOT_YET_VALID);
    }

    @Test
    void aDateExactly15MinutesAwayIsAccepted() {
        assertThat(verify(publish(NOW.minus(Duration.ofMinutes(15))))).isEqualTo(new Result.Verified(APP));
        assertThat(verify(publish(NOW.plus(Duration.ofMinutes(15))))).isEqualTo(new Result.Verified(APP));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-03-26T03:08:01Z", "20240326T030801", "20240326T030801z", "20241326T030801Z",
            "20240230T030801Z", "20240326T250801Z", "20240326T030860Z", "1711422481", "20240326 030801Z",
            "+20240326T030801Z"})
    void aMalformedDateIsRefused(String date) {
        Wire wire = publish();
        wire.headers.set("X-Sdk-Date", date);
        assertRefused(verify(wire), Reason.MALFORMED, "X-Sdk-Date", "yyyyMMdd'T'HHmmss'Z'");
    }

    @Test
    void aMissingOrRepeatedDateIsRefused() {
        Wire wire = publish();
        wire.headers.remove("X-Sdk-Date");
        assertRefused(verify(wire), Reason.MALFORMED, "X-Sdk-Date", "missing");
        wire = publish();
        wire.headers.add("X-Sdk-Date", "20240326T030801Z");
        assertRefused(verify(wire), Reason.MALFORMED, "X-Sdk-Date", "2 times");
    }

    // ---- keys and the Authorization header ----

    @Test
    void anUnknownKeyIsRefused() {
        Wire wire = signed(new Signer("NOSUCHKEY", SECRET), "GET", "/api/v1/stream?topic=a", Map.of(), "", NOW);
        assertRefused(verify(wire), Reason.UNKNOWN_KEY, "NOSUCHKEY");
    }

    static Stream<Arguments> malformedAuthorizations() {
        return Stream.of(
                authorization("another scheme", a -> "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", Reason.UNSUPPORTED,
                        "Bearer"),
                authorization("an older algorithm", a -> a.replace("SDK-HMAC-SHA256", "SDK-HMAC-SHA1"),
                        Reason.UNSUPPORTED, "SDK-HMAC-SHA1"),
                authorization("empty", a -> "", Reason.MALFORMED, "empty"),
                authorization("no parameters", a -> "SDK-HMAC-SHA256", Reason.MALFORMED, "without parameters"),
                authorization("Access= missing", a -> a.replaceAll("Access=[^,]+, ", ""), Reason.MALFORMED,
                        "Access= is missing"),
                authorization("SignedHeaders= missing", a -> a.replaceAll("SignedHeaders=[^,]+, ", ""),
                        Reason.MALFORMED, "SignedHeaders= is missing"),
                authorization("Signature= missing", a -> a.replaceAll(", Signature=.*", ""), Reason.MALFORMED,
                        "Signature= is missing"),
                authorization("Access= twice", a -> a + ", Access=" + KEY, Reason.MALFORMED, "Access= given twice"),
                authorization("an unknown parameter", a -> a + ", Nonce=1", Reason.MALFORMED, "unknown parameter",
                        "Nonce"),
                authorization("lowercase parameter name", a -> a.replace("Access=", "access="), Reason.MALFORMED,
                        "unknown parameter", "access"),
                authorization("Access= empty", a -> a.replace("Access=" + KEY, "Access="), Reason.MALFORMED,
                        "Access="),
                authorization("no commas between parameters", a -> a.replace(", ", " "), Reason.MALFORMED,
                        "Access="),
                authorization("an empty parameter", a -> a.replace(", Signature", ",, Signature"), Reason.MALFORMED,
                        "empty parameter"),
                authorization("Signature= uppercase hex", a -> a.replaceAll("Signature=(.*)$", "Signature=")
                        + "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789", Reason.MALFORMED,
                        "Signature=", "64 lowercase hex"),
                authorization("Signature= too short", a -> a.substring(0, a.length() - 1), Reason.MALFORMED,
                        "Signature=", "63 characters"),
                authorization("Signature= not hex", a -> a.substring(0, a.length() - 1) + "g", Reason.MALFORMED,
                        "Signature="),
                authorization("SignedHeaders= uppercase", a -> a.replace("host;", "Host;"), Reason.MALFORMED,
                        "SignedHeaders=", "Host"),
                authorization("SignedHeaders= empty name", a -> a.replace("host;", "host;;"), Reason.MALFORMED,
                        "SignedHeaders=", "empty name"),
                authorization("SignedHeaders= a name twice", a -> a.replace("host;", "host;host;"),
                        Reason.MALFORMED, "SignedHeaders=", "host twice"),
                authorization("SignedHeaders= without x-sdk-date", a -> a.replace(";x-sdk-date", ""),
                        Reason.MALFORMED, "x-sdk-date"),
                authorization("SignedHeaders= without host", a -> a.replace("host;", ""), Reason.MALFORMED,
                        "host among them"),
                authorization("SignedHeaders= naming a header the request lacks",
                        a -> a.replace("x-stage", "x-stage;x-tenant"), Reason.MALFORMED, "x-tenant", "missing"));
    }

    private static Arguments authorization(String name, UnaryOperator<String> change, Reason reason,
            String... detail) {
        return Arguments.of(Named.of(name, change), reason, detail);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedAuthorizations")
    void aMalformedAuthorizationIsRefusedSayingWhatIsWrong(UnaryOperator<String> change, Reason reason,
            String[] detail) {
        Wire wire = publish();
        wire.authorization(change.apply(wire.authorization()));
        assertRefused(verify(wire), reason, detail);
    }

    @Test
    void aMissingOrRepeatedAuthorizationIsRefused() {
        Wire wire = publish();
        String authorization = wire.authorization();
        wire.headers.remove("Authorization");
        assertRefused(verify(wire), Reason.MALFORMED, "Authorization header is missing");
        wire.headers.add("Authorization", authorization);
        wire.headers.add("Authorization", authorization);
        assertRefused(verify(wire), Reason.MALFORMED, "Authorization appears 2 times");
    }

    @Test
    void theSchemeNameIsCaseInsensitive() {
        Wire wire = publish();
        wire.authorization(wire.authorization().replace("SDK-HMAC-SHA256", "sdk-hmac-sha256"));
        assertThat(verify(wire)).isEqualTo(new Result.Verified(APP));
    }

    @Test
    void aHostThatIsNotSignedIsRefusedEvenWithARightSignature() {
        Wire wire = new Wire();
        wire.method = "GET";
        wire.target = "/api/v1/stream?topic=a";
        wire.headers.add("Host", HOST);
        wire.headers.add("X-Sdk-Date", "20240326T030801Z");
        wire.body = new byte[0];
        CanonicalRequest canonical = CanonicalRequest.of("GET", wire.target, wire.headers, List.of("x-sdk-date"),
                wire.body);
        String signature = HexFormat.of().formatHex(Signer.hmacSha256(bytes(SECRET),
                canonical.stringToSign("20240326T030801Z")));
        wire.authorization("SDK-HMAC-SHA256 Access=" + KEY + ", SignedHeaders=x-sdk-date, Signature=" + signature);
        assertRefused(verify(wire), Reason.MALFORMED, "host");
    }

    // ---- the request target ----

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/pub%zzlish", "/api/v1/%E4%B8", "/api/v1/%E4%B8x", "/api/v1/%C0%AF",
            "/api/v1/%ED%A0%80", "/api/v1/%F4%90%80%80", "/api/v1/%80", "/api/v1/%", "/api/v1/%4",
            "/api/v1?topic=%G0", "/api/v1?topic=a%", "/api/v1?%FF=1", "/api/v1?=x", "/api/v1?topic=a&=x",
            "http://herald.example:8443/api/v1/publish", "*", "/api/v1/ü", "/api/v1/\u0000", "/api/v1/\u007F",
            "/api/v1#frag"})
    void aMalformedRequestTargetIsRefused(String target) {
        Wire wire = publish();
        wire.target = target;
        assertRefused(verify(wire), Reason.MALFORMED);
    }

    // ---- headers ----

    @Test
    void aDuplicatedSignedHeaderIsRefused() {
        Wire wire = publish();
        wire.headers.add("X-Stage", "RELEASE");
        assertRefused(verify(wire), Reason.MALFORMED, "x-stage", "2 times");
        wire = publish();
        wire.headers.add("Host", "evil.example");
        assertRefused(verify(wire), Reason.MALFORMED, "host", "2 times");
    }

    @Test
    void aSignedHeaderRemovedIsRefused() {
        Wire wire = publish();
        wire.headers.remove("X-Stage");
        assertRefused(verify(wire), Reason.MALFORMED, "x-stage", "missing");
    }

    // ---- the payload ----

    @Test
    void unsignedPayloadIsAcceptedWithAnyBody() {
        int second = 0;
        for (String body : List.of(BODY, "something else entirely", "")) {
            Wire wire = signed(signer, "POST", "/api/v1/publish", Map.of("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"),
                    "the body at signing", NOW.plusSeconds(second++)); // another second: not a replay
            wire.body = bytes(body);
            assertThat(verify(wire)).as(body).isEqualTo(new Result.Verified(APP));
        }
    }

    @Test
    void aSignedBodyHashMustBeTheBodysHash() {
        String hash = CanonicalRequest.sha256Hex(bytes(BODY));
        Wire wire = signed("POST", "/api/v1/publish", Map.of("X-Sdk-Content-Sha256", hash), BODY);
        assertThat(verify(wire)).isEqualTo(new Result.Verified(APP));

        wire = signed("POST", "/api/v1/publish", Map.of("X-Sdk-Content-Sha256", hash), BODY);
        wire.body = bytes("{\"topic\":\"chat/room-42\",\"data\":\"forged\"}");
        assertRefused(verify(wire), Reason.SIGNATURE_MISMATCH, "body");
    }

    @Test
    void aRightSignatureOverAWrongBodyHashIsRefused() {
        String wrong = CanonicalRequest.sha256Hex(bytes("another body"));
        assertThatThrownBy(() -> signer.sign("POST", "/api/v1/publish", HOST, Map.of("X-Sdk-Content-Sha256", wrong),
                bytes(BODY), NOW)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("body");

        Wire wire = signed("POST", "/api/v1/publish", Map.of("X-Sdk-Content-Sha256", wrong), "another body");
        wire.body = bytes(BODY); // signed with the hash of another body, as a signer that does not check would
        assertRefused(verify(wire), Reason.SIGNATURE_MISMATCH, "body", "X-Sdk-Content-Sha256");
    }

    @Test
    void aHexBodyHashCoversTheBodyOfADeleteToo() {
        String hash = CanonicalRequest.sha256Hex(bytes("{\"id\":1}"));
        Wire wire = signed("DELETE", "/api/v1/subscriptions/1", Map.of("X-Sdk-Content-Sha256", hash), "{\"id\":1}");
        wire.body = bytes("{\"id\":2}");
        assertRefused(verify(wire), Reason.SIGNATURE_MISMATCH, "body");
    }

    @Test
    void aMalformedBodyHashIsRefused() {
        assertThatThrownBy(() -> signer.sign("POST", "/api/v1/publish", HOST, Map.of("X-Sdk-Content-Sha256", "abc"),
                bytes(BODY), NOW)).isInstanceOf(IllegalArgumentException.class);
        Wire wire = publish();
        wire.headers.add("X-Sdk-Content-Sha256", "abc");
        wire.authorization(wire.authorization().replace(";x-stage", ";x-sdk-content-sha256;x-stage"));
        assertRefused(verify(wire), Reason.MALFORMED, "X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD");
    }

    @Test
    void anUnsignedPayloadHeaderThatIsNotSignedDoesNotUnsignTheBody() {
        Wire wire = publish();
        wire.headers.add("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD");
        wire.body = bytes("forged");
        assertRefused(verify(wire), Reason.SIGNATURE_MISMATCH);
    }

    // ---- replays ----

    @Test
    void aReplayedPostIsRefused() {
        Wire wire = publish();
        assertThat(verify(wire)).isEqualTo(new Result.Verified(APP));
        assertRefused(verify(wire), Reason.REPLAYED, "POST", "already accepted");
        // Ten minutes later, still inside the window, on a verifier sharing the guard.
        assertRefused(verify(verifierAt(NOW.plus(Duration.ofMinutes(10))), wire.method, wire.target, wire.headers,
                wire.body), Reason.REPLAYED);
        // Past the window it is no replay but expired.
        assertRefused(verify(verifierAt(NOW.plus(Duration.ofMinutes(15)).plusSeconds(1)), wire.method, wire.target,
                wire.headers, wire.body), Reason.EXPIRED);
    }

    @Test
    void aReplayInAnotherEncodingIsStillAReplay() {
        Wire wire = publish();
        assertThat(verify(wire)).isEqualTo(new Result.Verified(APP));
        wire.target = "/api/v1/publish/?ttl=60&topic=chat%2Froom-42";
        assertRefused(verify(wire), Reason.REPLAYED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE"})
    void everyStateChangingMethodIsAcceptedOnce(String method) {
        Wire wire = signed(method, "/api/v1/things/1", Map.of(), "{}");
        assertThat(verify(wire)).isEqualTo(new Result.Verified(APP));
        assertRefused(verify(wire), Reason.REPLAYED, method);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "OPTIONS"})
    void aSubscriptionMayBeResentInsideTheWindow(String method) {
        Wire wire = signed(method, "/api/v1/stream?topic=chat/room-42", Map.of("Accept", "text/event-stream"), "");
        for (int i = 0; i < 3; i++) {
            assertThat(verify(wire)).isEqualTo(new Result.Verified(APP));
        }
        assertThat(guard.size()).isZero();
    }

    @Test
    void aRefusedRequestDoesNotUseUpItsSignature() {
        Wire wire = publish();
        byte[] body = wire.body;
        wire.body = bytes("forged");
        assertRefused(verify(wire), Reason.SIGNATURE_MISMATCH);
        wire.body = body;
        assertThat(verify(wire)).isEqualTo(new Result.Verified(APP));
    }

    // ---- the replay guard ----

    private static byte[] signature(long n) {
        byte[] s = new byte[32];
        new Random(n).nextBytes(s);
        return s;
    }

    @Test
    void theGuardForgetsTheOldestWhenFull() {
        ReplayGuard small = new ReplayGuard(3);
        Instant expires = NOW.plus(Duration.ofMinutes(15));
        for (long i = 1; i <= 4; i++) {
            assertThat(small.firstUse(signature(i), expires, NOW)).isTrue();
        }
        assertThat(small.size()).isEqualTo(3);
        assertThat(small.evictedEarly()).isEqualTo(1);
        assertThat(small.firstUse(signature(4), expires, NOW)).isFalse();
        assertThat(small.firstUse(signature(2), expires, NOW)).isFalse();
        assertThat(small.firstUse(signature(1), expires, NOW)).as("the oldest was forgotten").isTrue();
        assertThat(small.firstUse(signature(2), expires, NOW)).as("and now the next oldest").isTrue();
    }

    @Test
    void theGuardForgetsWhatHasExpired() {
        ReplayGuard small = new ReplayGuard(100);
        for (long i = 0; i < 50; i++) {
            small.firstUse(signature(i), NOW.plusSeconds(i), NOW);
        }
        assertThat(small.firstUse(signature(10), NOW.plusSeconds(10), NOW.plusSeconds(10))).isFalse();
        assertThat(small.firstUse(signature(10), NOW.plusSeconds(99), NOW.plusSeconds(11))).isTrue();
        for (int i = 0; i < 10; i++) {
            small.firstUse(signature(1000 + i), NOW.plusSeconds(1000), NOW.plusSeconds(100));
        }
        assertThat(small.size()).isLessThanOrEqualTo(10);
        assertThat(small.evictedEarly()).isZero();
    }

    @Test
    void theGuardIsBoundedAndGrowsToItsBound() {
        ReplayGuard guard = new ReplayGuard(5000);
        Instant expires = NOW.plus(Duration.ofMinutes(15));
        for (long i = 0; i < 5000; i++) {
            assertThat(guard.firstUse(signature(i), expires, NOW)).isTrue();
        }
        for (long i = 0; i < 5000; i++) {
            assertThat(guard.firstUse(signature(i), expires, NOW)).as("%d", i).isFalse();
        }
        for (long i = 5000; i < 15000; i++) {
            guard.firstUse(signature(i), expires, NOW);
        }
        assertThat(guard.size()).isEqualTo(5000);
        assertThat(guard.evictedEarly()).isEqualTo(10000);
        assertThatThrownBy(() -> new ReplayGuard(0)).hasMessage("maxEntries: 0 (expected: > 0)");
        assertThat(new ReplayGuard().maxEntries()).isEqualTo(1_000_000);
    }

    /** Random operations against a plain model: the index's deletions and the ring's wrap-around stay right. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64, 1500})
    void theGuardBehavesLikeItsModel(int maxEntries) {
        Random random = new Random(maxEntries);
        ReplayGuard guard = new ReplayGuard(maxEntries);
        LinkedHashMap<Long, Long> model = new LinkedHashMap<>(); // id -> expiry millis, in acceptance order
        long now = NOW.toEpochMilli();
        for (int op = 0; op < 60_000; op++) {
            now += random.nextInt(50);
            long id = random.nextInt(maxEntries * 3 + 2);
            long expires = now + random.nextInt(5000);
            int purged = 0;
            for (Iterator<Map.Entry<Long, Long>> it = model.entrySet().iterator(); it.hasNext() && purged < 8;) {
                if (it.next().getValue() >= now) {
                    break;
                }
                it.remove();
                purged++;
            }
            boolean expected;
            Long seen = model.get(id);
            if (seen != null) {
                expected = seen < now;
                if (expected) {
                    model.put(id, expires); // refreshed in place, keeps its position
                }
            } else {
                if (model.size() == maxEntries) {
                    Iterator<Long> oldest = model.keySet().iterator();
                    oldest.next();
                    oldest.remove();
                }
                model.put(id, expires);
                expected = true;
            }
            assertThat(guard.firstUse(signature(id), Instant.ofEpochMilli(expires), Instant.ofEpochMilli(now)))
                    .as("op %d id %d", op, id).isEqualTo(expected);
            assertThat(guard.size()).isEqualTo(model.size());
        }
    }

    @Test
    void theGuardAcceptsEachSignatureOnceAcrossThreads() throws Exception {
        ReplayGuard guard = new ReplayGuard();
        Instant expires = NOW.plus(Duration.ofMinutes(15));
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            Set<Long> accepted = ConcurrentHashMap.newKeySet();
            AtomicInteger acceptances = new AtomicInteger();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (long i = 0; i < 20_000; i++) {
                        if (guard.firstUse(signature(i), expires, NOW)) {
                            acceptances.incrementAndGet();
                            accepted.add(i);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(acceptances.get()).isEqualTo(20_000);
            assertThat(accepted).hasSize(20_000);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theGuardNeedsAtLeast16SignatureBytes() {
        assertThatThrownBy(() -> guard.firstUse(Arrays.copyOf(signature(1), 15), NOW, NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
