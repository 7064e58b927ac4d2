package dev.herald.server.auth.token;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import dev.herald.server.auth.App;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Mints HS256 {@link TokenClaims tokens} signed with an app's secret: what an app's backend does, offered here
 * for Herald's own tools and tests. Thread-safe.
 */
public final class TokenMinter {
    private static final Duration MIN_TTL = Duration.ofSeconds(1);

    private final Clock clock;

    /** A minter whose tokens are issued at {@code clock}'s now. */
    public TokenMinter(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /** A minter on the system clock. */
    public TokenMinter() {
        this(Clock.systemUTC());
    }

    /**
     * A compact HS256 JWT for {@code user} of {@code app}, valid for {@code ttl} (whole seconds) from now.
     *
     * @param subscribe topic patterns the user may read; {@code {sub}} is the user id
     * @param publish topic patterns the user may publish to; {@code {sub}} is the user id
     * @param ttl 1 s to {@link TokenClaims#MAX_LIFETIME}
     * @throws IllegalArgumentException in the form {@code name: value (expected: ...)} when an input would make
     *         a token Herald refuses
     */
    public String mint(App app, String user, List<String> subscribe, List<String> publish, Duration ttl) {
        requireNonNull(app, "app");
        requireNonNull(user, "user");
        requireNonNull(subscribe, "subscribe");
        requireNonNull(publish, "publish");
        requireNonNull(ttl, "ttl");
        byte[] secret = app.secret().getBytes(StandardCharsets.UTF_8);
        if (secret.length < TokenClaims.MIN_HMAC_SECRET_BYTES) {
            throw new IllegalArgumentException("app.secret: " + secret.length + " bytes (expected: at least "
                    + TokenClaims.MIN_HMAC_SECRET_BYTES + " bytes of UTF-8 to key HS256)");
        }
        if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(TokenClaims.MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException(
                    "ttl: " + ttl + " (expected: " + MIN_TTL + " to " + TokenClaims.MAX_LIFETIME + ")");
        }
        try {
            TokenClaims.checkSubject(user);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^sub:", "user:"), e);
        }
        Instant iat = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        TokenClaims claims;
        try {
            claims = new TokenClaims(app.key(), user, iat, iat.plusSeconds(ttl.getSeconds()), Optional.empty(),
                    Optional.empty(), subscribe, publish);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^sub:", "user:"), e);
        }
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                new Payload(claims.toJson()));
        try {
            jws.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
        String token = jws.serialize();
        if (token.length() > TokenClaims.MAX_TOKEN_LENGTH) {
            throw new IllegalArgumentException("token: " + token.length() + " characters (expected: at most "
                    + TokenClaims.MAX_TOKEN_LENGTH + "; grant fewer or shorter patterns)");
        }
        return token;
    }
}
