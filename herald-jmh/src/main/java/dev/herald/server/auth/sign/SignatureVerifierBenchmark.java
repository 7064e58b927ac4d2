package dev.herald.server.auth.sign;

import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link SignatureVerifier#verify} of SDK-HMAC-SHA256 requests signed by {@link Signer}, as Netty's decoder
 * hands them over: header parsing, the date window, the canonical request (path, sorted query, signed headers,
 * the body's SHA-256), the HMAC and its constant-time comparison.
 *
 * <p>{@code post}: a publish (POST with a query and a 40-byte JSON body), which is state-changing, so the verifier
 * also records its signature in a {@link ReplayGuard} and would refuse the same request the second time. To
 * verify one valid POST again and again, each call gets a verifier with a fresh one-entry guard (a few small
 * allocations next to the hashing); the request is accepted, as the first of its kind, every time.
 * {@code get}: a subscription (GET, no body), which may be re-sent and skips the guard.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SignatureVerifierBenchmark {
    private static final Instant NOW = Instant.parse("2026-12-01T09:00:00Z");
    private static final String KEY = "HERALDKEY0001";
    private static final String SECRET = "an-app-secret-of-forty-characters-012345";
    private static final String HOST = "herald.example:8443";

    private Function<String, Optional<App>> keys;
    private Clock clock;
    private SignatureVerifier verifier;
    private HttpRequest post;
    private byte[] postBody;
    private HttpRequest get;
    private final byte[] noBody = new byte[0];

    @Setup
    public void setUp() {
        App app = new App("bench", KEY, SECRET, Permissions.NONE, List.of(), 100, List.of());
        Optional<App> found = Optional.of(app);
        keys = k -> k.equals(KEY) ? found : Optional.empty();
        // Verified a second after signing, well within the window.
        clock = Clock.fixed(NOW.plusSeconds(1), ZoneOffset.UTC);
        verifier = new SignatureVerifier(keys, clock, new ReplayGuard());
        Signer signer = new Signer(KEY, SECRET);

        postBody = "{\"topic\":\"chat/room-42\",\"data\":\"hello\"}".getBytes(StandardCharsets.UTF_8);
        post = signed(signer, HttpMethod.POST, "/api/v1/publish?topic=chat/room-42&ttl=60",
                Map.of("Content-Type", "application/json"), postBody);
        get = signed(signer, HttpMethod.GET, "/api/v1/stream?topic=chat/room-42&history=10", Map.of(), noBody);

        if (!(post() instanceof SignatureVerifier.Result.Verified)) {
            throw new IllegalStateException("the signed POST does not verify: " + post());
        }
        if (!(get() instanceof SignatureVerifier.Result.Verified)) {
            throw new IllegalStateException("the signed GET does not verify: " + get());
        }
        // The shared verifier refuses the POST a second time: hence a fresh guard per call in post().
        verifier.verify(post, postBody);
        if (!(verifier.verify(post, postBody) instanceof SignatureVerifier.Result.Refused)) {
            throw new IllegalStateException("a replayed POST was accepted");
        }
    }

    private static HttpRequest signed(Signer signer, HttpMethod method, String target, Map<String, String> headers,
            byte[] body) {
        Signer.Signed signed = signer.sign(method.name(), target, HOST, headers, body, NOW);
        HttpHeaders wire = new DefaultHttpHeaders();
        headers.forEach(wire::add);
        wire.add("Host", HOST);
        if (body.length > 0) {
            wire.add("Content-Length", body.length);
        }
        signed.headers().forEach(wire::add);
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, target, wire);
    }

    @Benchmark
    public SignatureVerifier.Result post() {
        return new SignatureVerifier(keys, clock, new ReplayGuard(1)).verify(post, postBody);
    }

    @Benchmark
    public SignatureVerifier.Result get() {
        return verifier.verify(get, noBody);
    }
}
