package dev.herald.server.auth.sign;

import static dev.herald.server.auth.sign.SignatureVerifierTest.APP;
import static dev.herald.server.auth.sign.SignatureVerifierTest.HOST;
import static dev.herald.server.auth.sign.SignatureVerifierTest.KEY;
import static dev.herald.server.auth.sign.SignatureVerifierTest.NOW;
import static dev.herald.server.auth.sign.SignatureVerifierTest.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.server.auth.AuthFailure.Reason;
import dev.herald.server.auth.sign.SignatureVerifier.Result;
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
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Two nodes, each with its own {@link ReplayGuard}, sharing the signatures they accepted (here in memory; in a
 * cluster, in Redis, which the cluster tests use): a signed publish accepted by one is a replay on the other.
 */
class SharedSignaturesTest {
    private static final byte[] BODY = "{\"topic\":\"chat/room-42\",\"data\":\"x\"}".getBytes(StandardCharsets.UTF_8);

    /** What the nodes share: signatures, with the window they were claimed for. */
    private static final class Shared implements SeenSignatures {
        final Set<String> claimed = ConcurrentHashMap.newKeySet();
        final Map<String, Duration> windows = new ConcurrentHashMap<>();
        volatile boolean reachable = true;

        @Override
        public CompletionStage<Boolean> claim(byte[] signature, Instant expires, Instant now) {
            if (!reachable) {
                return CompletableFuture.failedFuture(new IllegalStateException("store unreachable"));
            }
            String key = HexFormat.of().formatHex(signature);
            windows.put(key, Duration.between(now, expires));
            return CompletableFuture.completedFuture(claimed.add(key));
        }
    }

    private final Shared shared = new Shared();

    private SignatureVerifier node() {
        return new SignatureVerifier(k -> k.equals(KEY) ? Optional.of(APP) : Optional.empty(),
                Clock.fixed(NOW, ZoneOffset.UTC), new ReplayGuard(), shared);
    }

    private static DefaultFullHttpRequest request(String method, Instant date) {
        Signer.Signed signed = new Signer(KEY, SECRET).sign(method, "/api/v1/publish", HOST,
                Map.of("Content-Type", "application/json"), BODY, date);
        HttpHeaders headers = new DefaultHttpHeaders().add("Content-Type", "application/json").add("Host", HOST);
        signed.headers().forEach(headers::add);
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), "/api/v1/publish",
                Unpooled.wrappedBuffer(BODY), headers, new DefaultHttpHeaders());
    }

    private static Result verifyChange(SignatureVerifier node, String method, Instant date) {
        DefaultFullHttpRequest request = request(method, date);
        try {
            return node.verifyChange(request, BODY).join();
        } finally {
            request.release();
        }
    }

    @Test
    void aSignedPublishAcceptedByOneNodeIsAReplayOnTheOther() {
        SignatureVerifier a = node();
        SignatureVerifier b = node();
        assertThat(verifyChange(a, "POST", NOW)).isEqualTo(new Result.Verified(APP));
        Result replayed = verifyChange(b, "POST", NOW);
        assertThat(replayed).isInstanceOf(Result.Refused.class);
        assertThat(((Result.Refused) replayed).failure().reason()).isEqualTo(Reason.REPLAYED);
        // Kept until X-Sdk-Date leaves the window: 15 minutes after it.
        assertThat(shared.windows.values()).containsOnly(SignatureVerifier.WINDOW);
        assertThat(verifyChange(b, "POST", NOW.minusSeconds(1))).as("signed anew").isEqualTo(new Result.Verified(APP));
    }

    @Test
    void aRequestThatChangesNothingIsNotClaimedAndVerifyRefusesOneThatDoes() {
        SignatureVerifier a = node();
        assertThat(verifyChange(a, "GET", NOW)).isEqualTo(new Result.Verified(APP));
        assertThat(verifyChange(a, "GET", NOW)).isEqualTo(new Result.Verified(APP));
        assertThat(shared.claimed).isEmpty();
        DefaultFullHttpRequest post = request("POST", NOW);
        try {
            assertThatThrownBy(() -> a.verify(post, BODY)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("verifyChange");
        } finally {
            post.release();
        }
    }

    @Test
    void whenTheNodesCannotBeAskedTheVerificationFailsRatherThanGuess() {
        shared.reachable = false;
        DefaultFullHttpRequest request = request("POST", NOW);
        try {
            CompletableFuture<Result> result = node().verifyChange(request, BODY);
            assertThatThrownBy(result::join).isInstanceOf(CompletionException.class);
        } finally {
            request.release();
        }
    }
}
