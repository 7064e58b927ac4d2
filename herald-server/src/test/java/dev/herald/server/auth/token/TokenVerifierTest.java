package dev.herald.server.auth.token;

import static dev.herald.server.auth.AuthFailure.Reason.EXPIRED;
import static dev.herald.server.auth.AuthFailure.Reason.MALFORMED;
import static dev.herald.server.auth.AuthFailure.Reason.NOT_YET_VALID;
import static dev.herald.server.auth.AuthFailure.Reason.SIGNATURE_MISMATCH;
import static dev.herald.server.auth.AuthFailure.Reason.UNKNOWN_KEY;
import static dev.herald.server.auth.AuthFailure.Reason.UNSUPPORTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.herald.core.Selector;
import dev.herald.core.Topic;
import dev.herald.server.auth.App;
import dev.herald.server.auth.AuthFailure;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.Principal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenVerifierTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String SECRET_A = "a-secret-of-forty-three-characters-0123456";
    private static final String SECRET_B = "b-secret-of-forty-three-characters-0123456";

    private static KeyPair rsa;
    private static KeyPair otherRsa;
    private static KeyPair ec;
    private static App chat;
    private static App other;
    private static App rsaless;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
        rsaGenerator.initialize(2048);
        rsa = rsaGenerator.generateKeyPair();
        otherRsa = rsaGenerator.generateKeyPair();
        KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
        ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGenerator.generateKeyPair();
        chat = app("chat", "chat-app-key", SECRET_A, List.of("chat/#"), List.of("chat/#", "user/{sub}/#"),
                List.of(rsa.getPublic(), ec.getPublic()));
        other = app("other", "other-app-key", SECRET_B, List.of("#"), List.of("chat/#", "user/#"), List.of());
        rsaless = app("hs-only", "hs-only-app-key", SECRET_B, List.of("#"), List.of("#"), List.of());
    }

    private static App app(String name, String key, String secret, List<String> publish, List<String> subscribe,
            List<java.security.PublicKey> tokenKeys) {
        return new App(name, key, secret,
                new Permissions(publish.stream().map(Selector::of).toList(),
                        subscribe.stream().map(Selector::of).toList()),
                List.of(), 0, tokenKeys);
    }

    private final TokenVerifier verifier = new TokenVerifier(
            key -> Optional.ofNullable(Map.of(chat.key(), chat, other.key(), other, rsaless.key(), rsaless).get(key)),
            CLOCK);

    // --- helpers -------------------------------------------------------------------------------------------

    /** Valid claims for alice of the chat app, issued now, valid for 10 minutes. */
    private static Map<String, Object> claims() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", "chat-app-key");
        c.put("sub", "alice");
        c.put("aud", "herald");
        c.put("iat", NOW.getEpochSecond());
        c.put("exp", NOW.getEpochSecond() + 600);
        c.put("subscribe", List.of("chat/#", "user/{sub}/#"));
        c.put("publish", List.of("chat/room-1"));
        return c;
    }

    private static Map<String, Object> claims(Consumer<Map<String, Object>> change) {
        Map<String, Object> c = claims();
        change.accept(c);
        return c;
    }

    private static String sign(JWSHeader header, Map<String, Object> claims, JWSSigner signer) {
        try {
            JWSObject jws = new JWSObject(header, new Payload(claims));
            jws.sign(signer);
            return jws.serialize();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String hs256(String secret, Map<String, Object> claims) {
        try {
            return sign(new JWSHeader(JWSAlgorithm.HS256), claims, new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String rs256(KeyPair keys, Map<String, Object> claims) {
        return sign(new JWSHeader(JWSAlgorithm.RS256), claims, new RSASSASigner(keys.getPrivate()));
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String json(Map<String, Object> map) {
        return JSONObjectUtils.toJSONString(map);
    }

    /** {@code token} with its payload replaced, keeping its header and signature. */
    private static String withPayload(String token, Map<String, Object> claims) {
        String[] parts = token.split("\\.");
        return parts[0] + "." + b64(json(claims)) + "." + parts[2];
    }

    private Principal verified(String token) {
        TokenVerifier.Result result = verifier.verify(token);
        if (result instanceof TokenVerifier.Verified v) {
            return v.principal();
        }
        return fail("expected verified, got %s", result);
    }

    private AuthFailure refused(String token) {
        TokenVerifier.Result result = verifier.verify(token);
        if (result instanceof TokenVerifier.Refused r) {
            return r.failure();
        }
        return fail("expected refused, got %s", result);
    }

    private void assertRefused(String token, AuthFailure.Reason reason, String detail) {
        AuthFailure failure = refused(token);
        assertThat(failure.reason()).as(failure.detail()).isEqualTo(reason);
        assertThat(failure.detail()).contains(detail);
    }

    private static Topic t(String name) {
        return Topic.of(name);
    }

    // --- valid tokens --------------------------------------------------------------------------------------

    @Test
    void mintedTokenVerifiesAsItsUserWithItsPermissionsWithinTheApps() {
        String token = new TokenMinter(CLOCK).mint(chat, "alice", List.of("chat/+", "user/{sub}/#"),
                List.of("chat/room-1"), Duration.ofMinutes(10));

        Principal p = verified(token);

        assertThat(p.app()).contains(chat);
        assertThat(p.user()).contains("alice");
        assertThat(p.expires()).contains(NOW.plusSeconds(600));
        assertThat(p.permissions().subscribe()).containsExactly(Selector.of("chat/+"), Selector.of("user/alice/#"));
        assertThat(p.permissions().publish()).containsExactly(Selector.of("chat/room-1"));
        assertThat(p.permissions().mayRead(t("chat/lobby"))).isTrue();
        assertThat(p.permissions().mayRead(t("user/alice/inbox"))).isTrue();
        assertThat(p.permissions().mayRead(t("user/bob/inbox"))).isFalse();
        assertThat(p.permissions().mayRead(t("chat/lobby/threads"))).isFalse();
        assertThat(p.permissions().mayPublish(t("chat/room-1"))).isTrue();
        assertThat(p.permissions().mayPublish(t("chat/room-2"))).isFalse();
    }

    @Test
    void rs256SignedWithAConfiguredKeyVerifies() {
        Principal p = verified(rs256(rsa, claims()));

        assertThat(p.user()).contains("alice");
        assertThat(p.permissions().mayRead(t("user/alice/x"))).isTrue();
    }

    @Test
    void es256SignedWithAConfiguredKeyVerifies() throws Exception {
        String token = sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("any-kid").type(JOSEObjectType.JWT)
                .build(), claims(), new ECDSASigner((ECPrivateKey) ec.getPrivate()));

        assertThat(verified(token).user()).contains("alice");
    }

    @Test
    void audienceMayBeAnArrayThatNamesHerald() {
        assertThat(verified(hs256(SECRET_A, claims(c -> c.put("aud", List.of("other", "herald"))))).user())
                .contains("alice");
    }

    @Test
    void claimsHeraldDoesNotKnowAreIgnored() {
        assertThat(verified(hs256(SECRET_A, claims(c -> {
            c.put("jti", "token-1");
            c.put("nbf", NOW.getEpochSecond() - 5);
            c.put("role", Map.of("admin", true));
        }))).user()).contains("alice");
    }

    // --- time ----------------------------------------------------------------------------------------------

    @Test
    void expiredTokenIsRefused() {
        String token = new TokenMinter(Clock.fixed(NOW.minus(Duration.ofHours(1)), ZoneOffset.UTC)).mint(chat, "alice",
                List.of("chat/#"), List.of(), Duration.ofMinutes(10));

        assertRefused(token, EXPIRED, "exp");
    }

    @Test
    void expiryHasThirtySecondsOfSkew() {
        assertThat(verifier.verify(hs256(SECRET_A, claims(c -> {
            c.put("iat", NOW.getEpochSecond() - 600);
            c.put("exp", NOW.getEpochSecond() - 29);
        })))).isInstanceOf(TokenVerifier.Verified.class);
        assertRefused(hs256(SECRET_A, claims(c -> {
            c.put("iat", NOW.getEpochSecond() - 600);
            c.put("exp", NOW.getEpochSecond() - 30);
        })), EXPIRED, "exp");
    }

    @Test
    void notBeforeInTheFutureIsNotYetValid() {
        assertRefused(hs256(SECRET_A, claims(c -> c.put("nbf", NOW.getEpochSecond() + 31))), NOT_YET_VALID, "nbf");
        assertThat(verifier.verify(hs256(SECRET_A, claims(c -> c.put("nbf", NOW.getEpochSecond() + 30)))))
                .isInstanceOf(TokenVerifier.Verified.class);
    }

    @Test
    void issuedInTheFutureIsNotYetValid() {
        assertRefused(hs256(SECRET_A, claims(c -> {
            c.put("iat", NOW.getEpochSecond() + 120);
            c.put("exp", NOW.getEpochSecond() + 600);
        })), NOT_YET_VALID, "iat");
    }

    @Test
    void lifetimeOverTwentyFourHoursIsRefused() {
        assertRefused(hs256(SECRET_A, claims(c -> c.put("exp", NOW.getEpochSecond() + 86_401))), UNSUPPORTED,
                "at most 86400 s");
        assertThat(verifier.verify(hs256(SECRET_A, claims(c -> c.put("exp", NOW.getEpochSecond() + 86_400)))))
                .isInstanceOf(TokenVerifier.Verified.class);
    }

    @Test
    void expiryNotAfterIssueIsMalformed() {
        assertRefused(hs256(SECRET_A, claims(c -> c.put("exp", NOW.getEpochSecond()))), MALFORMED, "exp");
    }

    // --- keys and signatures -------------------------------------------------------------------------------

    @Test
    void tokenSignedWithAnotherAppsSecretIsAMismatch() {
        // Minted with app A's secret, but naming app B as its issuer.
        assertRefused(hs256(SECRET_A, claims(c -> c.put("iss", "other-app-key"))), SIGNATURE_MISMATCH, "signature");
    }

    @Test
    void unknownIssuerIsAnUnknownKey() {
        assertRefused(hs256(SECRET_A, claims(c -> c.put("iss", "no-such-app"))), UNKNOWN_KEY, "no-such-app");
    }

    @Test
    void changedSubjectKeepingTheSignatureIsAMismatch() {
        String token = hs256(SECRET_A, claims());

        assertRefused(withPayload(token, claims(c -> c.put("sub", "bob"))), SIGNATURE_MISMATCH, "signature");
    }

    @Test
    void widenedPatternsKeepingTheSignatureIsAMismatch() {
        String token = hs256(SECRET_A, claims());

        assertRefused(withPayload(token, claims(c -> c.put("subscribe", List.of("#")))), SIGNATURE_MISMATCH,
                "signature");
    }

    @Test
    void changedSignatureIsAMismatch() {
        String token = hs256(SECRET_A, claims());
        int s = token.lastIndexOf('.') + 1;
        String tampered = token.substring(0, s) + (token.charAt(s) == 'A' ? 'B' : 'A') + token.substring(s + 1);

        assertRefused(tampered, SIGNATURE_MISMATCH, "signature");
    }

    @Test
    void signatureRespeltWithTheUnusedBitsOfItsLastCharacterIsMalformed() {
        // 32 bytes are 43 base64url characters with 2 unused bits: a lenient decoder reads 'A' and 'B' alike.
        String token = hs256(SECRET_A, claims());
        char last = token.charAt(token.length() - 1);
        int value = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(last);
        char respelt = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charAt(value ^ 1);

        assertRefused(token.substring(0, token.length() - 1) + respelt, MALFORMED, "canonical");
    }

    @Test
    void hs256KeyedWithTheAppsRsaPublicKeyIsAMismatch() throws Exception {
        // Algorithm confusion: the public key is public, so an HMAC keyed with it proves nothing.
        byte[] publicKeyBytes = rsa.getPublic().getEncoded();
        String der = sign(new JWSHeader(JWSAlgorithm.HS256), claims(), new MACSigner(publicKeyBytes));
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(publicKeyBytes)
                + "\n-----END PUBLIC KEY-----\n";
        String pemKeyed = sign(new JWSHeader(JWSAlgorithm.HS256), claims(),
                new MACSigner(pem.getBytes(StandardCharsets.UTF_8)));

        assertRefused(der, SIGNATURE_MISMATCH, "signature");
        assertRefused(pemKeyed, SIGNATURE_MISMATCH, "signature");
    }

    @Test
    void rs256HeaderOverAnHmacSignatureIsAMismatch() throws Exception {
        // The header says RS256, the signature is an HMAC with the public key: only the RSA verifier is used.
        String hs = sign(new JWSHeader(JWSAlgorithm.HS256), claims(), new MACSigner(rsa.getPublic().getEncoded()));
        String[] parts = hs.split("\\.");
        String relabelled = b64("{\"alg\":\"RS256\"}") + "." + parts[1] + "." + parts[2];

        assertRefused(relabelled, SIGNATURE_MISMATCH, "signature");
    }

    @Test
    void rs256FromAnUnconfiguredKeyIsAMismatch() {
        assertRefused(rs256(otherRsa, claims()), SIGNATURE_MISMATCH, "signature");
    }

    @Test
    void rs256ForAnAppWithoutRsaKeysIsUnsupported() {
        assertRefused(rs256(rsa, claims(c -> c.put("iss", "hs-only-app-key"))), UNSUPPORTED, "no RSA token key");
    }

    @Test
    void es256SignedWithAnRsaAppsUnconfiguredEcKeyIsAMismatch() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair stranger = g.generateKeyPair();

        assertRefused(sign(new JWSHeader(JWSAlgorithm.ES256), claims(),
                new ECDSASigner((ECPrivateKey) stranger.getPrivate())), SIGNATURE_MISMATCH, "signature");
    }

    @Test
    void hs256ForAnAppWithAShortSecretIsUnsupported() throws Exception {
        App shortSecret = app("short", "short-app-key", "only-twenty-chars-ab", List.of("#"), List.of("#"), List.of());
        TokenVerifier v = new TokenVerifier(key -> Optional.of(shortSecret), CLOCK);
        String token = sign(new JWSHeader(JWSAlgorithm.HS256), claims(c -> c.put("iss", "short-app-key")),
                new MACSigner(new byte[32]));

        TokenVerifier.Result result = v.verify(token);

        assertThat(result).isInstanceOfSatisfying(TokenVerifier.Refused.class, r -> {
            assertThat(r.failure().reason()).isEqualTo(UNSUPPORTED);
            assertThat(r.failure().detail()).contains("HS256").doesNotContain("only-twenty");
        });
    }

    // --- headers -------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE"})
    void algNoneIsRefused(String alg) {
        String unsigned = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(json(claims())) + ".";

        assertRefused(unsigned, UNSUPPORTED, "alg");
    }

    @Test
    void algNoneWithASignatureIsRefused() {
        String[] signed = hs256(SECRET_A, claims()).split("\\.");

        assertRefused(b64("{\"alg\":\"none\"}") + "." + signed[1] + "." + signed[2], UNSUPPORTED, "'none'");
    }

    @Test
    void hs256WithoutASignatureIsMalformed() {
        assertRefused(b64("{\"alg\":\"HS256\"}") + "." + b64(json(claims())) + ".", MALFORMED, "no signature");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS384", "HS512", "RS512", "PS256", "ES384", "EdDSA", "hs256", ""})
    void otherAlgorithmsAreUnsupported(String alg) {
        String token = b64("{\"alg\":\"" + alg + "\"}") + "." + b64(json(claims())) + ".c2ln";

        assertRefused(token, UNSUPPORTED, "alg");
    }

    @Test
    void embeddedJwkIsRefusedEvenWhenItsKeySignedTheToken() {
        // The attacker's own key, carried in the header, with a valid signature by it.
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .jwk(new RSAKey.Builder((RSAPublicKey) otherRsa.getPublic()).build()).build();

        assertRefused(sign(header, claims(), new RSASSASigner(otherRsa.getPrivate())), UNSUPPORTED, "jwk");
    }

    @Test
    void keyUrlsInTheHeaderAreRefused() {
        JWSHeader jku = new JWSHeader.Builder(JWSAlgorithm.RS256).jwkURL(URI.create("https://evil.example/jwks"))
                .build();
        JWSHeader x5u = new JWSHeader.Builder(JWSAlgorithm.RS256).x509CertURL(URI.create("https://evil.example/c"))
                .build();

        // Signed with a configured key: the header alone is the reason.
        assertRefused(sign(jku, claims(), new RSASSASigner(rsa.getPrivate())), UNSUPPORTED, "jku");
        assertRefused(sign(x5u, claims(), new RSASSASigner(rsa.getPrivate())), UNSUPPORTED, "x5u");
    }

    @Test
    void embeddedCertificateChainIsRefused() {
        String token = b64("{\"alg\":\"RS256\",\"x5c\":[\"MIIB\"]}") + "." + b64(json(claims())) + ".c2ln";

        assertRefused(token, UNSUPPORTED, "x5c");
    }

    @Test
    void criticalHeadersAreRefused() throws Exception {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.HS256).criticalParams(Set.of("exp"))
                .customParam("exp", 1).build();

        assertRefused(sign(header, claims(), new MACSigner(SECRET_A.getBytes(StandardCharsets.UTF_8))), UNSUPPORTED,
                "crit");
    }

    @Test
    void unencodedPayloadIsRefused() {
        String token = b64("{\"alg\":\"HS256\",\"b64\":false,\"crit\":[\"b64\"]}") + "." + b64(json(claims()))
                + ".c2ln";

        assertRefused(token, UNSUPPORTED, "present");
    }

    @Test
    void nestedTokensAreRefused() {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.HS256).contentType("JWT").build();

        assertRefused(sign(header, claims(), macA()), UNSUPPORTED, "cty");
    }

    @Test
    void otherTokenTypesAreRefused() {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).build();

        assertRefused(sign(header, claims(), macA()), UNSUPPORTED, "typ");
    }

    @Test
    void fivePartsAreTakenForAnEncryptedToken() {
        assertRefused("....", UNSUPPORTED, "JWE");
    }

    @Test
    void encryptedTokensAreUnsupported() {
        assertRefused("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn", UNSUPPORTED, "JWE");
        String jweHeaderInThreeParts = b64("{\"alg\":\"dir\",\"enc\":\"A256GCM\"}") + "." + b64(json(claims()))
                + ".c2ln";
        assertRefused(jweHeaderInThreeParts, UNSUPPORTED, "enc");
    }

    private static MACSigner macA() {
        try {
            return new MACSigner(SECRET_A.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // --- malformed -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "a.b", "garbage", "a.b.c", ".", "..", "a.b.c.d", "a.b.c.d.e.f",
            "a$b.c.d", "eyJhbGciOiJIUzI1NiJ9.e30 .c2ln", "Bearer x.y.z", "{\"alg\":\"HS256\"}.e30.c2ln",
            "=.=.="})
    void malformedStringsAreMalformed(String token) {
        assertThat(refused(token).reason()).isEqualTo(MALFORMED);
    }

    @Test
    void headerThatIsNotJsonIsMalformed() {
        assertRefused(b64("not json") + "." + b64(json(claims())) + ".c2ln", MALFORMED, "header");
        assertRefused(b64("[\"HS256\"]") + "." + b64(json(claims())) + ".c2ln", MALFORMED, "header");
        assertRefused(b64("{\"typ\":\"JWT\"}") + "." + b64(json(claims())) + ".c2ln", MALFORMED, "alg: missing");
        assertRefused(b64("{\"alg\":256}") + "." + b64(json(claims())) + ".c2ln", MALFORMED, "alg");
    }

    @Test
    void payloadThatIsNotAJsonObjectIsMalformed() throws Exception {
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload("[1,2]"));
        jws.sign(macA());

        assertRefused(jws.serialize(), MALFORMED, "payload");
    }

    @Test
    void tooLongTokenIsRefusedUnread() {
        assertRefused("a".repeat(TokenClaims.MAX_TOKEN_LENGTH + 1), MALFORMED, "8193 characters");
    }

    @Test
    void deeplyNestedPayloadIsMalformedNotAStackOverflow() {
        String nested = "[".repeat(2500) + "]".repeat(2500);
        String token = b64("{\"alg\":\"HS256\"}") + "." + b64("{\"iss\":\"chat-app-key\",\"x\":" + nested + "}")
                + ".c2ln";

        assertThat(verifier.verify(token)).isInstanceOf(TokenVerifier.Refused.class);
    }

    @Test
    void duplicateClaimsAreMalformed() throws Exception {
        String payload = "{\"iss\":\"chat-app-key\",\"sub\":\"alice\",\"sub\":\"bob\",\"aud\":\"herald\",\"iat\":"
                + NOW.getEpochSecond() + ",\"exp\":" + (NOW.getEpochSecond() + 60) + "}";
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payload));
        jws.sign(macA());

        assertThat(refused(jws.serialize()).reason()).isEqualTo(MALFORMED);
    }

    @Test
    void missingClaimsAreMalformed() {
        for (String claim : List.of("sub", "aud", "iat", "exp")) {
            assertRefused(hs256(SECRET_A, claims(c -> c.remove(claim))), MALFORMED, claim + ": missing");
        }
        assertRefused(hs256(SECRET_A, claims(c -> c.remove("iss"))), MALFORMED, "iss: missing");
    }

    @Test
    void claimsOfTheWrongTypeAreMalformed() {
        assertRefused(hs256(SECRET_A, claims(c -> c.put("iss", 17))), MALFORMED, "iss: a number");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("sub", 42))), MALFORMED, "sub: a number");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("exp", "1748779800"))), MALFORMED, "exp: a string");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("iat", true))), MALFORMED, "iat: a boolean");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("nbf", List.of()))), MALFORMED, "nbf: an array");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("aud", 5))), MALFORMED, "aud: a number");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("aud", List.of(5)))), MALFORMED, "aud");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("subscribe", "chat/#"))), MALFORMED, "subscribe: a string");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("publish", List.of(1)))), MALFORMED, "publish[0]: a number");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("jti", 7))), MALFORMED, "jti: a number");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("exp", 1e300))), MALFORMED, "exp: out of range");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("iat", -5L))), MALFORMED, "iat: -5");
    }

    @Test
    void nullClaimsAreMalformed() throws Exception {
        String payload = "{\"iss\":\"chat-app-key\",\"sub\":null,\"aud\":\"herald\",\"iat\":" + NOW.getEpochSecond()
                + ",\"exp\":" + (NOW.getEpochSecond() + 60) + "}";
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payload));
        jws.sign(macA());

        assertRefused(jws.serialize(), MALFORMED, "sub: null");
    }

    @Test
    void foreignAudienceIsUnsupported() {
        assertRefused(hs256(SECRET_A, claims(c -> c.put("aud", "api.example.com"))), UNSUPPORTED, "aud");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("aud", List.of("a", "b")))), UNSUPPORTED, "aud");
    }

    @Test
    void fractionalTimesAreRoundedDown() {
        Principal p = verified(hs256(SECRET_A, claims(c -> c.put("exp", NOW.getEpochSecond() + 600.75))));

        assertThat(p.expires()).contains(NOW.plusSeconds(600));
    }

    @Test
    void subjectMustBeOneTo128PrintableCodePoints() {
        assertRefused(hs256(SECRET_A, claims(c -> c.put("sub", ""))), MALFORMED, "sub: 0 code points");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("sub", "x".repeat(129)))), MALFORMED, "sub: 129");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("sub", "al\nice"))), MALFORMED, "control character");
        assertThat(verified(hs256(SECRET_B, claims(c -> {
            c.put("iss", "other-app-key");
            c.put("sub", "\uD83D\uDE00".repeat(128));
            c.put("subscribe", List.of("chat/#"));
        }))).user()).contains("\uD83D\uDE00".repeat(128));
    }

    @Test
    void invalidPatternsAreMalformed() {
        assertRefused(hs256(SECRET_A, claims(c -> c.put("subscribe", List.of("chat/#/x")))), MALFORMED,
                "subscribe[0]");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("publish", List.of("chat", "")))), MALFORMED, "publish[1]");
        assertRefused(hs256(SECRET_A, claims(c -> c.put("subscribe", List.of("user/x{sub}")))), MALFORMED,
                "inside a segment");
        List<String> many = java.util.stream.IntStream.range(0, 65).mapToObj(i -> "c/" + i).toList();
        assertRefused(hs256(SECRET_A, claims(c -> c.put("subscribe", many))), MALFORMED, "65 patterns");
    }

    // --- escalation ----------------------------------------------------------------------------------------

    @Nested
    class Escalation {
        @Test
        void everythingIsNarrowedToWhatTheAppMayRead() {
            // The app may read chat/# and user/{sub}/#; the token asks for everything.
            Principal p = verified(hs256(SECRET_A, claims(c -> c.put("subscribe", List.of("#")))));

            assertThat(p.permissions().mayRead(t("chat/x"))).isTrue();
            assertThat(p.permissions().mayRead(t("user/alice/inbox"))).isTrue();
            assertThat(p.permissions().mayRead(t("admin/x"))).isFalse();
            assertThat(p.permissions().mayRead(t("user/bob/inbox"))).isFalse();
            assertThat(p.permissions().mayRead(t("user/{sub}/inbox"))).isFalse();
        }

        @Test
        void publishingIsNarrowedToWhatTheAppMayPublish() {
            Principal p = verified(hs256(SECRET_A, claims(c -> c.put("publish", List.of("#")))));

            assertThat(p.permissions().mayPublish(t("chat/x"))).isTrue();
            assertThat(p.permissions().mayPublish(t("admin/x"))).isFalse();
            assertThat(p.permissions().mayPublish(t("user/alice/inbox"))).isFalse();
        }

        @Test
        void tokenPlaceholderIsFilledWithTheUser() {
            // The app may read all of user/#; the token only grants the user's own.
            Principal p = verified(hs256(SECRET_B, claims(c -> {
                c.put("iss", "other-app-key");
                c.put("subscribe", List.of("user/{sub}/#"));
            })));

            assertThat(p.permissions().mayRead(t("user/alice/inbox"))).isTrue();
            assertThat(p.permissions().mayRead(t("user/alice"))).isTrue();
            assertThat(p.permissions().mayRead(t("user/bob/inbox"))).isFalse();
        }

        @Test
        void wildcardUserInTheTokenCannotReachAnotherUsersPrivateTopics() {
            // The app grants user/{sub}/#; the token asks for every user's inbox.
            Principal p = verified(hs256(SECRET_A, claims(c -> c.put("subscribe", List.of("user/+/inbox")))));

            assertThat(p.permissions().subscribe()).containsExactly(Selector.of("user/alice/inbox"));
            assertThat(p.permissions().mayRead(t("user/alice/inbox"))).isTrue();
            assertThat(p.permissions().mayRead(t("user/bob/inbox"))).isFalse();
            assertThat(p.permissions().mayReadSomeOf(Selector.of("user/bob/#"))).isFalse();
        }

        @Test
        void bobsTokenReadsBobsTopicsOnly() {
            Principal p = verified(hs256(SECRET_A, claims(c -> {
                c.put("sub", "bob");
                c.put("subscribe", List.of("#"));
            })));

            assertThat(p.permissions().mayRead(t("user/bob/inbox"))).isTrue();
            assertThat(p.permissions().mayRead(t("user/alice/inbox"))).isFalse();
        }

        @ParameterizedTest
        @ValueSource(strings = {"alice/../bob", "bob/inbox", "+", "#", "a+b", "x#", "al\u007fice"})
        void userThatCannotFillThePlaceholderIsRefused(String user) {
            // In the token's patterns...
            assertThat(refused(hs256(SECRET_B, claims(c -> {
                c.put("iss", "other-app-key");
                c.put("sub", user);
                c.put("subscribe", List.of("user/{sub}/#"));
            }))).reason()).isEqualTo(MALFORMED);
            // ...and in the app's, even when the token does not use it.
            assertThat(refused(hs256(SECRET_A, claims(c -> {
                c.put("sub", user);
                c.put("subscribe", List.of("#"));
            }))).reason()).isEqualTo(MALFORMED);
        }

        @Test
        void userWithSlashesIsFineWhenNoPatternUsesThePlaceholder() {
            Principal p = verified(hs256(SECRET_B, claims(c -> {
                c.put("iss", "other-app-key");
                c.put("sub", "org/alice+work@example.com");
                c.put("subscribe", List.of("chat/#"));
            })));

            assertThat(p.user()).contains("org/alice+work@example.com");
            assertThat(p.permissions().mayRead(t("chat/x"))).isTrue();
        }

        @Test
        void placeholderDoesNotRecurse() {
            Principal p = verified(hs256(SECRET_A, claims(c -> {
                c.put("sub", "{sub}");
                c.put("subscribe", List.of("user/{sub}/#"));
            })));

            assertThat(p.permissions().subscribe()).containsExactly(Selector.of("user/{sub}/#"));
            assertThat(p.permissions().mayRead(t("user/alice/x"))).isFalse();
        }
    }
}
