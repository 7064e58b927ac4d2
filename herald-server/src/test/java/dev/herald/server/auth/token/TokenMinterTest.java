package dev.herald.server.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSObject;
import dev.herald.core.Selector;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokenMinterTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00.750Z");
    private static final App APP = new App("chat", "chat-app-key", "a-secret-of-forty-three-characters-0123456",
            new Permissions(List.of(Selector.of("#")), List.of(Selector.of("#"))), List.of(), 0, List.of());

    private final TokenMinter minter = new TokenMinter(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void mintsACompactHs256JwtWithTheDocumentedClaims() throws Exception {
        String token = minter.mint(APP, "alice", List.of("user/{sub}/#"), List.of("chat/room-1"),
                Duration.ofMinutes(5));

        JWSObject jws = JWSObject.parse(token);
        assertThat(jws.getHeader().toJSONObject()).isEqualTo(Map.of("alg", "HS256", "typ", "JWT"));
        long iat = NOW.getEpochSecond();
        assertThat(jws.getPayload().toJSONObject()).containsExactlyInAnyOrderEntriesOf(Map.of("iss", "chat-app-key",
                "sub", "alice", "aud", "herald", "iat", iat, "exp", iat + 300, "subscribe", List.of("user/{sub}/#"),
                "publish", List.of("chat/room-1")));
    }

    @Test
    void ttlMustBeOneSecondTo24Hours() {
        assertThatThrownBy(() -> minter.mint(APP, "alice", List.of(), List.of(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ttl: PT0S (expected: PT1S to PT24H)");
        assertThatThrownBy(() -> minter.mint(APP, "alice", List.of(), List.of(), Duration.ofHours(24).plusSeconds(1)))
                .hasMessage("ttl: PT24H1S (expected: PT1S to PT24H)");
        assertThat(minter.mint(APP, "alice", List.of(), List.of(), Duration.ofHours(24))).isNotEmpty();
    }

    @Test
    void userMustBeAValidSubject() {
        assertThatThrownBy(() -> minter.mint(APP, "", List.of(), List.of(), Duration.ofMinutes(1)))
                .hasMessageStartingWith("user: 0 code points (expected:");
        assertThatThrownBy(() -> minter.mint(APP, "x".repeat(129), List.of(), List.of(), Duration.ofMinutes(1)))
                .hasMessageStartingWith("user: 129 code points");
        assertThatThrownBy(() -> minter.mint(APP, "a\tb", List.of(), List.of(), Duration.ofMinutes(1)))
                .hasMessageContaining("control character");
    }

    @Test
    void userMustFillThePlaceholderWhenAPatternUsesIt() {
        assertThatThrownBy(() -> minter.mint(APP, "a/b", List.of("user/{sub}/#"), List.of(), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("user: 'a/b' cannot fill {sub} in subscribe[0] 'user/{sub}/#' (expected: a user id "
                        + "without '/', '+', '#' or control characters)");
        assertThat(minter.mint(APP, "a/b", List.of("chat/#"), List.of(), Duration.ofMinutes(1))).isNotEmpty();
    }

    @Test
    void patternsMustBeSelectors() {
        assertThatThrownBy(() -> minter.mint(APP, "alice", List.of(), List.of("chat/#/x"), Duration.ofMinutes(1)))
                .hasMessageStartingWith("publish[0]: selector: 'chat/#/x' has '#' before the end");
        assertThatThrownBy(() -> minter.mint(APP, "alice", List.of("user/{sub}x"), List.of(), Duration.ofMinutes(1)))
                .hasMessageStartingWith("subscribe[0]: 'user/{sub}x' has {sub} inside a segment");
        List<String> many = IntStream.range(0, 65).mapToObj(i -> "c/" + i).toList();
        assertThatThrownBy(() -> minter.mint(APP, "alice", many, List.of(), Duration.ofMinutes(1)))
                .hasMessage("subscribe: 65 patterns (expected: at most 64)");
    }

    @Test
    void shortSecretCannotKeyHs256() {
        App weak = new App("weak", "weak-app-key", "short", Permissions.NONE, List.of(), 0, List.of());

        assertThatThrownBy(() -> minter.mint(weak, "alice", List.of(), List.of(), Duration.ofMinutes(1)))
                .hasMessage("app.secret: 5 bytes (expected: at least 32 bytes of UTF-8 to key HS256)");
    }

    @Test
    void tokenLongerThanHeraldAcceptsIsRefused() {
        List<String> long_ = IntStream.range(0, 64).mapToObj(i -> "c/" + i + "/" + "x".repeat(200)).toList();

        assertThatThrownBy(() -> minter.mint(APP, "alice", long_, long_, Duration.ofMinutes(1)))
                .hasMessageStartingWith("token: ").hasMessageContaining("(expected: at most 8192");
    }
}
