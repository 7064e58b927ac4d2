package dev.herald.server.auth.token;

import static dev.herald.server.auth.AuthFailure.Reason.EXPIRED;
import static dev.herald.server.auth.AuthFailure.Reason.MALFORMED;
import static dev.herald.server.auth.AuthFailure.Reason.NOT_YET_VALID;
import static dev.herald.server.auth.AuthFailure.Reason.SIGNATURE_MISMATCH;
import static dev.herald.server.auth.AuthFailure.Reason.UNKNOWN_KEY;
import static dev.herald.server.auth.AuthFailure.Reason.UNSUPPORTED;
import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.herald.server.auth.App;
import dev.herald.server.auth.AuthFailure;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies the tokens apps mint for their users ({@link TokenClaims} documents the format) and answers with the
 * {@link Principal} a token stands for, or why it was refused. Thread-safe; never throws for what a client sent.
 *
 * <p>The steps, each refusing with its own reason: the compact form ({@code MALFORMED}; JWE is
 * {@code UNSUPPORTED}); the header, against an allow-list ({@code UNSUPPORTED}: {@code alg} other than HS256,
 * RS256, ES256, {@code none} included, and {@code crit}, {@code b64}, {@code cty}, {@code jku}, {@code jwk},
 * {@code x5u}, {@code x5c}); the app named by {@code iss} ({@code UNKNOWN_KEY}); the signature, with the key
 * kind the algorithm implies and nothing else ({@code SIGNATURE_MISMATCH}); only then the claims
 * ({@code MALFORMED}; a foreign {@code aud} or a lifetime over {@link TokenClaims#MAX_LIFETIME} is
 * {@code UNSUPPORTED}) and the times ({@code EXPIRED}, {@code NOT_YET_VALID}). A forged token learns nothing
 * about its claims: they are judged only once the signature holds.
 *
 * <p>The principal may use what both the token's patterns and the app's permissions allow, with
 * {@code {sub}} in either filled with the user id (see {@link UserPatterns}).
 *
 * <p>HS256 needs an AppSecret of at least {@value TokenClaims#MIN_HMAC_SECRET_BYTES} UTF-8 bytes (the HMAC-SHA256
 * key size, which nimbus enforces); an app with a shorter secret gets its HS256 tokens refused as
 * {@code UNSUPPORTED} and one WARN in the log. Configured apps cannot have one: the config requires 32.
 */
public final class TokenVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(TokenVerifier.class);

    /** Header parameters that name or carry a key, or change how the token is read: never honoured. */
    private static final List<String> REFUSED_HEADERS = List.of("jku", "jwk", "x5u", "x5c", "crit", "b64", "cty");
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.RS256,
            JWSAlgorithm.ES256);
    private static final String EXPECTED_ALG = "expected: HS256, RS256 or ES256";

    /** What the verifier answers: a principal, or why there is none. */
    public sealed interface Result permits Verified, Refused {
    }

    /** The token holds: this is who the request is and what it may do. */
    public record Verified(Principal principal) implements Result {
        public Verified {
            requireNonNull(principal, "principal");
        }
    }

    /** The token was refused; {@code failure} is fit for the client. */
    public record Refused(AuthFailure failure) implements Result {
        public Refused {
            requireNonNull(failure, "failure");
        }
    }

    private final Function<String, Optional<App>> appsByKey;
    private final Clock clock;
    private final Set<String> warnedShortSecret = ConcurrentHashMap.newKeySet();

    /**
     * @param appsByKey the app with this AppKey, if one is configured
     * @param clock now, for {@code exp}, {@code nbf} and {@code iat}
     */
    public TokenVerifier(Function<String, Optional<App>> appsByKey, Clock clock) {
        this.appsByKey = requireNonNull(appsByKey, "appsByKey");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Verifies a compact JWS, such as {@link TokenSources#find} returns. */
    public Result verify(String compactJwt) {
        requireNonNull(compactJwt, "compactJwt");
        try {
            return new Verified(principal(compactJwt));
        } catch (TokenRefusal refusal) {
            return new Refused(refusal.failure());
        }
    }

    private Principal principal(String token) throws TokenRefusal {
        Base64URL[] parts = split(token);
        checkHeader(parts[0]);
        if (parts[2].toString().isEmpty()) {
            throw new TokenRefusal(MALFORMED, "token: no signature (expected: a signed JWT)");
        }
        JWSObject jws;
        Map<String, Object> payload;
        try {
            jws = new JWSObject(parts[0], parts[1], parts[2]);
            payload = jws.getPayload().toJSONObject();
        } catch (ParseException | RuntimeException e) {
            LOG.debug("Unreadable token: {}", e.toString());
            throw new TokenRefusal(MALFORMED, "token: not a JWS (expected: a signed JWT)");
        }
        if (payload == null) {
            throw new TokenRefusal(MALFORMED, "payload: not a JSON object (expected: the token's claims)");
        }
        String issuer = TokenClaims.issuer(payload);
        App app = appsByKey.apply(issuer).orElseThrow(() -> new TokenRefusal(UNKNOWN_KEY,
                "iss: '" + TokenClaims.printable(issuer) + "' (expected: the AppKey of a configured app)"));
        checkSignature(app, jws);

        TokenClaims claims = TokenClaims.fromJson(payload);
        checkTimes(claims);
        Permissions appPermissions;
        try {
            appPermissions = UserPatterns.forUser(app.permissions(), claims.subject());
        } catch (IllegalArgumentException e) {
            LOG.debug("{}: user cannot fill the app's permissions: {}", app, e.getMessage());
            throw new TokenRefusal(MALFORMED, "sub: '" + TokenClaims.printable(claims.subject()) + "' cannot fill "
                    + UserPatterns.PLACEHOLDER + " in the app's permissions (expected: a user id without '/', '+', "
                    + "'#' or control characters, short enough for a topic)");
        }
        Permissions granted = claims.permissions().within(appPermissions);
        return new Principal(Optional.of(app), Optional.of(claims.subject()), granted,
                Optional.of(claims.expires()));
    }

    /** The three parts of a compact JWS, each checked to be strict base64url (nimbus' decoder is lenient). */
    private static Base64URL[] split(String token) throws TokenRefusal {
        if (token.isEmpty()) {
            throw new TokenRefusal(MALFORMED, "token: empty (expected: a JWT, header.payload.signature)");
        }
        if (token.length() > TokenClaims.MAX_TOKEN_LENGTH) {
            throw new TokenRefusal(MALFORMED, "token: " + token.length() + " characters (expected: at most "
                    + TokenClaims.MAX_TOKEN_LENGTH + ")");
        }
        int dots = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!isBase64Url(c)) {
                throw new TokenRefusal(MALFORMED,
                        "token: a character outside base64url (expected: a compact JWT, header.payload.signature)");
            }
        }
        if (dots == 4) {
            throw new TokenRefusal(UNSUPPORTED,
                    "token: an encrypted JWT (JWE) (expected: a signed JWT, header.payload.signature)");
        }
        if (dots != 2) {
            throw new TokenRefusal(MALFORMED,
                    "token: " + (dots + 1) + " parts (expected: a compact JWT, header.payload.signature)");
        }
        String[] parts = token.split("\\.", -1);
        Base64URL[] result = new Base64URL[3];
        for (int i = 0; i < 3; i++) {
            // One token, one spelling: a last character whose unused bits are set decodes to the same bytes, so
            // a signature could be re-spelt and still verify.
            result[i] = new Base64URL(parts[i]);
            if (!Base64URL.encode(result[i].decode()).toString().equals(parts[i])) {
                throw new TokenRefusal(MALFORMED, "token: part " + (i + 1) + " is not canonical base64url (expected: "
                        + "unpadded base64url with the unused bits of the last character zero)");
            }
        }
        return result;
    }

    private static boolean isBase64Url(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    /** Checks the raw header JSON against the allow-list, before nimbus interprets any of it. */
    private static void checkHeader(Base64URL encoded) throws TokenRefusal {
        Map<String, Object> header;
        try {
            header = JSONObjectUtils.parse(new String(encoded.decode(), StandardCharsets.UTF_8));
        } catch (ParseException | RuntimeException e) {
            LOG.debug("Unreadable token header: {}", e.toString());
            header = null;
        }
        if (header == null) {
            throw new TokenRefusal(MALFORMED, "header: not a JSON object (expected: {\"alg\":\"HS256\",...})");
        }
        Object alg = header.get("alg");
        if (!(alg instanceof String algorithm)) {
            throw new TokenRefusal(MALFORMED, "alg: " + (alg == null ? "missing" : "not a string") + " ("
                    + EXPECTED_ALG + ")");
        }
        if (header.containsKey("enc")) {
            throw new TokenRefusal(UNSUPPORTED, "enc: an encrypted JWT (JWE) (expected: a signed JWT)");
        }
        if (algorithm.equalsIgnoreCase("none")) {
            throw new TokenRefusal(UNSUPPORTED, "alg: 'none', an unsigned JWT (" + EXPECTED_ALG + ")");
        }
        if (!ALGORITHMS.contains(JWSAlgorithm.parse(algorithm))) {
            throw new TokenRefusal(UNSUPPORTED, "alg: '" + TokenClaims.printable(algorithm) + "' (" + EXPECTED_ALG
                    + ")");
        }
        for (String name : REFUSED_HEADERS) {
            if (header.containsKey(name)) {
                throw new TokenRefusal(UNSUPPORTED, name + ": present (expected: none of " + REFUSED_HEADERS
                        + "; Herald only uses the keys configured for the app)");
            }
        }
        Object typ = header.get("typ");
        if (typ != null && !(typ instanceof String t && (t.equalsIgnoreCase("JWT")
                || t.equalsIgnoreCase("application/jwt")))) {
            throw new TokenRefusal(UNSUPPORTED, "typ: " + (typ instanceof String t ? "'" + TokenClaims.printable(t)
                    + "'" : "not a string") + " (expected: 'JWT' or no typ)");
        }
        Object kid = header.get("kid");
        if (kid != null && !(kid instanceof String)) {
            throw new TokenRefusal(MALFORMED, "kid: not a string (expected: a key id string, or no kid)");
        }
    }

    private void checkSignature(App app, JWSObject jws) throws TokenRefusal {
        JWSAlgorithm alg = jws.getHeader().getAlgorithm();
        for (JWSVerifier verifier : verifiers(app, alg)) {
            try {
                if (jws.verify(verifier)) {
                    return;
                }
            } catch (JOSEException | RuntimeException e) {
                // A signature that cannot be this key's (wrong length, bad encoding) just does not match it.
                LOG.debug("{}: {} signature not checkable: {}", app, alg, e.toString());
            }
        }
        throw new TokenRefusal(SIGNATURE_MISMATCH, "signature: does not verify with the " + alg + " key"
                + (alg.equals(JWSAlgorithm.HS256) ? " (the AppSecret) " : "s ") + "of app '"
                + TokenClaims.printable(app.key()) + "'");
    }

    /**
     * The verifiers for {@code alg}, each with a key of the one type that algorithm uses: the secret for HS256,
     * RSA public keys for RS256, P-256 public keys for ES256. A key is never used with another algorithm.
     */
    private List<JWSVerifier> verifiers(App app, JWSAlgorithm alg) throws TokenRefusal {
        List<JWSVerifier> verifiers = new ArrayList<>();
        if (alg.equals(JWSAlgorithm.HS256)) {
            byte[] secret = app.secret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < TokenClaims.MIN_HMAC_SECRET_BYTES) {
                if (warnedShortSecret.add(app.key())) {
                    LOG.warn("{}: its secret is {} bytes, HS256 tokens need at least {}: they are refused; "
                            + "generate a new secret with `herald apps create`", app, secret.length,
                            TokenClaims.MIN_HMAC_SECRET_BYTES);
                }
                throw new TokenRefusal(UNSUPPORTED, "alg: HS256 tokens are not accepted for app '"
                        + TokenClaims.printable(app.key()) + "' (expected: RS256 or ES256)");
            }
            try {
                verifiers.add(new MACVerifier(secret));
            } catch (JOSEException e) {
                throw new IllegalStateException("MACVerifier refused a " + secret.length + "-byte secret", e);
            }
        } else if (alg.equals(JWSAlgorithm.RS256)) {
            for (PublicKey key : app.tokenKeys()) {
                if (key instanceof RSAPublicKey rsa) {
                    verifiers.add(new RSASSAVerifier(rsa));
                }
            }
        } else if (alg.equals(JWSAlgorithm.ES256)) {
            for (PublicKey key : app.tokenKeys()) {
                if (key instanceof ECPublicKey ec && Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
                    try {
                        verifiers.add(new ECDSAVerifier(ec));
                    } catch (JOSEException e) {
                        LOG.debug("{}: P-256 key not usable: {}", app, e.toString());
                    }
                }
            }
        }
        if (verifiers.isEmpty()) {
            throw new TokenRefusal(UNSUPPORTED, "alg: " + alg + " but app '" + TokenClaims.printable(app.key())
                    + "' has no " + (alg.equals(JWSAlgorithm.RS256) ? "RSA" : "P-256") + " token key (expected: "
                    + "an algorithm the app has a key for)");
        }
        return verifiers;
    }

    private void checkTimes(TokenClaims claims) throws TokenRefusal {
        if (claims.lifetime().compareTo(TokenClaims.MAX_LIFETIME) > 0) {
            throw new TokenRefusal(UNSUPPORTED, "exp: " + claims.lifetime().toSeconds() + " s after iat (expected: "
                    + "at most " + TokenClaims.MAX_LIFETIME.toSeconds() + " s; mint shorter-lived tokens)");
        }
        Instant now = clock.instant();
        // Compared exactly; shown to the second, as the claims are.
        String shown = Instant.ofEpochSecond(now.getEpochSecond()).toString();
        String skew = " s of clock skew)";
        long seconds = TokenClaims.CLOCK_SKEW.toSeconds();
        if (!now.isBefore(claims.expires().plus(TokenClaims.CLOCK_SKEW))) {
            throw new TokenRefusal(EXPIRED, "exp: " + claims.expires() + " has passed (expected: later than now, "
                    + shown + ", less " + seconds + skew);
        }
        Optional<Instant> nbf = claims.notBefore();
        if (nbf.isPresent() && now.plus(TokenClaims.CLOCK_SKEW).isBefore(nbf.get())) {
            throw new TokenRefusal(NOT_YET_VALID, "nbf: " + nbf.get() + " is still to come (expected: no later than "
                    + "now, " + shown + ", plus " + seconds + skew);
        }
        if (now.plus(TokenClaims.CLOCK_SKEW).isBefore(claims.issuedAt())) {
            throw new TokenRefusal(NOT_YET_VALID, "iat: " + claims.issuedAt() + " is in the future (expected: no later "
                    + "than now, " + shown + ", plus " + seconds + skew);
        }
    }
}
