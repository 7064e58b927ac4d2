package dev.herald.server.auth.token;

import dev.herald.core.Selector;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * {@link TokenVerifier#verify} of an HS256 user token as {@link TokenMinter} mints it (what an app's backend
 * hands its pages): strict base64url split, the header allow-list, the app by {@code iss}, the HMAC, the claims,
 * the times, and the principal's permissions narrowed by the app's with {@code {sub}} filled in.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TokenVerifierBenchmark {
    private static final Instant NOW = Instant.parse("2026-12-01T09:00:00Z");

    private TokenVerifier verifier;
    private String token;

    @Setup
    public void setUp() {
        App app = new App("chat", "chat-app-key", "a-secret-of-forty-three-characters-0123456",
                new Permissions(List.of(Selector.of("chat/#")), List.of(Selector.of("chat/#"),
                        Selector.of("user/{sub}/#"))),
                List.of(), 100, List.of());
        Optional<App> found = Optional.of(app);
        token = new TokenMinter(Clock.fixed(NOW, ZoneOffset.UTC))
                .mint(app, "alice", List.of("chat/#", "user/{sub}/#"), List.of("chat/room-1"), Duration.ofHours(1));
        verifier = new TokenVerifier(k -> k.equals(app.key()) ? found : Optional.empty(),
                Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC));
        if (!(verify() instanceof TokenVerifier.Verified)) {
            throw new IllegalStateException("the minted token does not verify: " + verify());
        }
    }

    @Benchmark
    public TokenVerifier.Result verify() {
        return verifier.verify(token);
    }
}
