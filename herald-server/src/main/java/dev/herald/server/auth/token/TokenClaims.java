package dev.herald.server.auth.token;

import static dev.herald.server.auth.AuthFailure.Reason.MALFORMED;
import static dev.herald.server.auth.AuthFailure.Reason.UNSUPPORTED;
import static java.util.Objects.requireNonNull;

import dev.herald.server.auth.Permissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The claims of a Herald token: a JWT an app's backend mints for one of its users, so that the user's browser
 * can subscribe and publish without ever holding the app's secret. This is Herald's public contract; backends
 * mint these with any JWT library, offline, and Herald verifies them with {@link TokenVerifier}.
 *
 * <h2>Format</h2>
 * A JWS in compact serialization ({@code header.payload.signature}, base64url without padding), at most
 * {@value #MAX_TOKEN_LENGTH} characters (a browser keeps cookies up to about 4096 bytes).
 *
 * <p>Header:
 * <table>
 * <caption>Header parameters</caption>
 * <tr><th>parameter</th><th>value</th></tr>
 * <tr><td>{@code alg}</td><td>{@code HS256}: HMAC-SHA256 keyed with the UTF-8 bytes of the AppSecret (at least
 *     {@value #MIN_HMAC_SECRET_BYTES} bytes; Herald's generated secrets are longer);<br>
 *     {@code RS256}: RSASSA-PKCS1-v1_5 with SHA-256, verified with one of the app's RSA {@code tokenKeys};<br>
 *     {@code ES256}: ECDSA P-256 with SHA-256, verified with one of the app's P-256 {@code tokenKeys}.<br>
 *     Any other value, {@code none} included, is refused. The algorithm chooses the kind of key: an HS256
 *     token is only ever checked against the secret, an RS256 or ES256 one only against public keys of that
 *     type.</td></tr>
 * <tr><td>{@code typ}</td><td>optional; {@code JWT} if present</td></tr>
 * <tr><td>{@code kid}</td><td>optional, informative only: every configured key of the algorithm's type is
 *     tried</td></tr>
 * <tr><td>refused</td><td>{@code crit}, {@code b64}, {@code cty} (no nested tokens), and the key-carrying
 *     {@code jku}, {@code jwk}, {@code x5u}, {@code x5c}: Herald never fetches or trusts a key named by the
 *     token. Encrypted tokens (JWE) are refused too.</td></tr>
 * </table>
 *
 * <p>Claims (the payload, a JSON object; other claims are ignored):
 * <table>
 * <caption>Claims</caption>
 * <tr><th>claim</th><th></th><th>value</th></tr>
 * <tr><td>{@code iss}</td><td>required</td><td>the AppKey: names the app whose secret or keys verify the
 *     token</td></tr>
 * <tr><td>{@code sub}</td><td>required</td><td>the user id, 1 to {@value #MAX_SUBJECT_LENGTH} code points, no
 *     control characters</td></tr>
 * <tr><td>{@code aud}</td><td>required</td><td>{@value #AUDIENCE}, or an array that contains it</td></tr>
 * <tr><td>{@code iat}</td><td>required</td><td>issued at, seconds since the epoch; not in the future</td></tr>
 * <tr><td>{@code exp}</td><td>required</td><td>expires at, seconds since the epoch; {@code exp - iat} at most
 *     {@link #MAX_LIFETIME} (24 h)</td></tr>
 * <tr><td>{@code nbf}</td><td>optional</td><td>not before, seconds since the epoch</td></tr>
 * <tr><td>{@code jti}</td><td>optional</td><td>a token id, a string of at most {@value #MAX_ID_LENGTH}
 *     characters (not checked for replay)</td></tr>
 * <tr><td>{@code subscribe}</td><td>optional</td><td>array of topic patterns the user may read, at most
 *     {@value #MAX_PATTERNS}; default none</td></tr>
 * <tr><td>{@code publish}</td><td>optional</td><td>array of topic patterns the user may publish to, at most
 *     {@value #MAX_PATTERNS}; default none</td></tr>
 * </table>
 *
 * <p>Patterns are selectors with MQTT wildcards ({@code chat/+}, {@code chat/#}) and may use the placeholder
 * {@code {sub}} as a whole segment, replaced by the user id before parsing: {@code user/{sub}/#}. A token
 * whose patterns use it is refused when the user id contains {@code /}, {@code +}, {@code #} or a control
 * character (see {@link UserPatterns}). A token never grants more than its app: the principal may use a topic
 * only where both the token's patterns and the app's permissions (with {@code {sub}} filled in the same way)
 * allow it.
 *
 * <p>Times are checked with {@link #CLOCK_SKEW} (30 s) of tolerance either way: a token is expired from
 * {@code exp + 30 s} and valid from {@code nbf - 30 s} and {@code iat - 30 s}.
 *
 * @param issuer {@code iss}, the AppKey
 * @param subject {@code sub}, the user id
 * @param issuedAt {@code iat}
 * @param expires {@code exp}
 * @param notBefore {@code nbf}
 * @param id {@code jti}
 * @param subscribe the {@code subscribe} patterns, placeholders unfilled
 * @param publish the {@code publish} patterns, placeholders unfilled
 */
public record TokenClaims(String issuer, String subject, Instant issuedAt, Instant expires,
        Optional<Instant> notBefore, Optional<String> id, List<String> subscribe, List<String> publish) {
    /** The {@code aud} every Herald token names. */
    public static final String AUDIENCE = "herald";
    /** The longest a token may be valid, {@code exp - iat}. */
    public static final Duration MAX_LIFETIME = Duration.ofHours(24);
    /** How far the clocks of Herald and the minting backend may disagree. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    /** The longest {@code sub}, in code points. */
    public static final int MAX_SUBJECT_LENGTH = 128;
    /** The longest {@code iss}, in characters (AppKeys are at most 64). */
    public static final int MAX_ISSUER_LENGTH = 256;
    /** The longest {@code jti}, in characters. */
    public static final int MAX_ID_LENGTH = 256;
    /** The most patterns in {@code subscribe}, and in {@code publish}. */
    public static final int MAX_PATTERNS = 64;
    /** The longest compact token, in characters; longer ones are refused unread. */
    public static final int MAX_TOKEN_LENGTH = 8192;
    /** The shortest AppSecret, in UTF-8 bytes, that HS256 tokens may be keyed with (RFC 7518 section 3.2). */
    public static final int MIN_HMAC_SECRET_BYTES = 32;

    /** The latest time a JWT NumericDate may name here: 9999-12-31T23:59:59Z. */
    private static final long MAX_EPOCH_SECOND = 253_402_300_799L;

    /** @throws IllegalArgumentException with a message naming the claim, in the {@code name: value (expected: ...)} form */
    public TokenClaims {
        requireNonNull(issuer, "issuer");
        requireNonNull(subject, "subject");
        requireNonNull(issuedAt, "issuedAt");
        requireNonNull(expires, "expires");
        requireNonNull(notBefore, "notBefore");
        requireNonNull(id, "id");
        subscribe = List.copyOf(subscribe);
        publish = List.copyOf(publish);
        if (issuer.isEmpty() || issuer.length() > MAX_ISSUER_LENGTH) {
            throw new IllegalArgumentException("iss: " + issuer.length() + " characters (expected: the AppKey, 1 to "
                    + MAX_ISSUER_LENGTH + ")");
        }
        checkSubject(subject);
        if (!expires.isAfter(issuedAt)) {
            throw new IllegalArgumentException("exp: " + expires.getEpochSecond() + " (expected: after iat "
                    + issuedAt.getEpochSecond() + ")");
        }
        if (notBefore.isPresent() && !notBefore.get().isBefore(expires)) {
            throw new IllegalArgumentException("nbf: " + notBefore.get().getEpochSecond() + " (expected: before exp "
                    + expires.getEpochSecond() + ")");
        }
        if (id.isPresent() && id.get().length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(
                    "jti: " + id.get().length() + " characters (expected: at most " + MAX_ID_LENGTH + ")");
        }
        checkCount("subscribe", subscribe);
        checkCount("publish", publish);
        // Parses every pattern, so a TokenClaims always has permissions() to give.
        UserPatterns.forUser(publish, subscribe, subject);
    }

    /**
     * What the token's patterns grant its user, placeholders filled; not yet narrowed to the app's permissions.
     */
    public Permissions permissions() {
        return UserPatterns.forUser(publish, subscribe, subject);
    }

    /** {@code exp - iat}. */
    public Duration lifetime() {
        return Duration.between(issuedAt, expires);
    }

    /**
     * Checks a user id as a {@code sub}: 1 to {@value #MAX_SUBJECT_LENGTH} code points of well-formed text with
     * no control character.
     *
     * @throws IllegalArgumentException if it is not one
     */
    static void checkSubject(String subject) {
        int length = subject.codePointCount(0, subject.length());
        if (length == 0 || length > MAX_SUBJECT_LENGTH) {
            throw new IllegalArgumentException("sub: " + length + " code points (expected: a user id of 1 to "
                    + MAX_SUBJECT_LENGTH + ")");
        }
        for (int i = 0; i < subject.length(); i++) {
            char c = subject.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
                throw new IllegalArgumentException(
                        "sub: '" + printable(subject) + "' contains a control character (expected: printable text)");
            }
            if (Character.isHighSurrogate(c) && i + 1 < subject.length()
                    && Character.isLowSurrogate(subject.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("sub: contains an unpaired surrogate (expected: valid text)");
            }
        }
    }

    private static void checkCount(String name, List<String> patterns) {
        if (patterns.size() > MAX_PATTERNS) {
            throw new IllegalArgumentException(
                    name + ": " + patterns.size() + " patterns (expected: at most " + MAX_PATTERNS + ")");
        }
    }

    /** The claims as a JWT payload; {@code aud} is {@value #AUDIENCE}. */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("iss", issuer);
        json.put("sub", subject);
        json.put("aud", AUDIENCE);
        json.put("iat", issuedAt.getEpochSecond());
        notBefore.ifPresent(nbf -> json.put("nbf", nbf.getEpochSecond()));
        json.put("exp", expires.getEpochSecond());
        id.ifPresent(jti -> json.put("jti", jti));
        json.put("subscribe", subscribe);
        json.put("publish", publish);
        return json;
    }

    /** The {@code iss} of a payload not yet verified: only to find the app whose keys verify it. */
    static String issuer(Map<String, Object> json) throws TokenRefusal {
        return string(json, "iss", "the AppKey").orElseThrow(() -> missing("iss", "the AppKey"));
    }

    /** Reads a verified payload; refusals name the claim. */
    static TokenClaims fromJson(Map<String, Object> json) throws TokenRefusal {
        String iss = issuer(json);
        String sub = string(json, "sub", "the user id").orElseThrow(() -> missing("sub", "the user id"));
        checkAudience(json.get("aud"));
        Instant iat = numericDate(json, "iat").orElseThrow(() -> missing("iat", "seconds since the epoch"));
        Instant exp = numericDate(json, "exp").orElseThrow(() -> missing("exp", "seconds since the epoch"));
        Optional<Instant> nbf = numericDate(json, "nbf");
        Optional<String> jti = string(json, "jti", "a string");
        List<String> subscribe = strings(json, "subscribe");
        List<String> publish = strings(json, "publish");
        try {
            return new TokenClaims(iss, sub, iat, exp, nbf, jti, subscribe, publish);
        } catch (IllegalArgumentException e) {
            throw new TokenRefusal(MALFORMED, e.getMessage());
        }
    }

    private static void checkAudience(Object aud) throws TokenRefusal {
        if (aud == null) {
            throw missing("aud", "'" + AUDIENCE + "'");
        }
        if (aud instanceof String s) {
            if (!s.equals(AUDIENCE)) {
                throw new TokenRefusal(UNSUPPORTED,
                        "aud: '" + printable(s) + "' (expected: '" + AUDIENCE + "'; the token is for someone else)");
            }
            return;
        }
        if (aud instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String)) {
                    throw new TokenRefusal(MALFORMED, "aud: an array with " + type(o) + " (expected: strings)");
                }
            }
            if (!list.contains(AUDIENCE)) {
                throw new TokenRefusal(UNSUPPORTED,
                        "aud: " + list.size() + " audiences without '" + AUDIENCE + "' (expected: one is '" + AUDIENCE
                                + "')");
            }
            return;
        }
        throw new TokenRefusal(MALFORMED, "aud: " + type(aud) + " (expected: '" + AUDIENCE + "')");
    }

    private static Optional<String> string(Map<String, Object> json, String name, String expected)
            throws TokenRefusal {
        Object value = json.get(name);
        if (value == null) {
            if (json.containsKey(name)) {
                throw new TokenRefusal(MALFORMED, name + ": null (expected: " + expected + ")");
            }
            return Optional.empty();
        }
        if (!(value instanceof String s)) {
            throw new TokenRefusal(MALFORMED, name + ": " + type(value) + " (expected: " + expected + ")");
        }
        return Optional.of(s);
    }

    private static Optional<Instant> numericDate(Map<String, Object> json, String name) throws TokenRefusal {
        Object value = json.get(name);
        if (value == null) {
            if (json.containsKey(name)) {
                throw new TokenRefusal(MALFORMED, name + ": null (expected: seconds since the epoch)");
            }
            return Optional.empty();
        }
        long seconds;
        if (value instanceof Long l) {
            seconds = l;
        } else if (value instanceof Integer i) {
            seconds = i;
        } else if (value instanceof Double d && Double.isFinite(d) && Math.abs(d) <= MAX_EPOCH_SECOND) {
            seconds = (long) Math.floor(d); // NumericDate may have a fraction (RFC 7519 section 2)
        } else if (value instanceof Number) {
            throw new TokenRefusal(MALFORMED, name + ": out of range (expected: seconds since the epoch, 0 to "
                    + MAX_EPOCH_SECOND + ")");
        } else {
            throw new TokenRefusal(MALFORMED,
                    name + ": " + type(value) + " (expected: a number, seconds since the epoch)");
        }
        if (seconds < 0 || seconds > MAX_EPOCH_SECOND) {
            throw new TokenRefusal(MALFORMED, name + ": " + seconds + " (expected: seconds since the epoch, 0 to "
                    + MAX_EPOCH_SECOND + ")");
        }
        return Optional.of(Instant.ofEpochSecond(seconds));
    }

    private static List<String> strings(Map<String, Object> json, String name) throws TokenRefusal {
        Object value = json.get(name);
        if (value == null) {
            if (json.containsKey(name)) {
                throw new TokenRefusal(MALFORMED, name + ": null (expected: an array of topic patterns)");
            }
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new TokenRefusal(MALFORMED, name + ": " + type(value) + " (expected: an array of topic patterns)");
        }
        if (list.size() > MAX_PATTERNS) {
            throw new TokenRefusal(MALFORMED,
                    name + ": " + list.size() + " patterns (expected: at most " + MAX_PATTERNS + ")");
        }
        List<String> result = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw new TokenRefusal(MALFORMED,
                        name + "[" + i + "]: " + type(list.get(i)) + " (expected: a topic pattern string)");
            }
            result.add(s);
        }
        return result;
    }

    private static TokenRefusal missing(String name, String expected) {
        return new TokenRefusal(MALFORMED, name + ": missing (expected: " + expected + ")");
    }

    /** The JSON type of {@code value}, with its article, for messages. */
    private static String type(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof List) {
            return "an array";
        }
        return value instanceof Map ? "an object" : "a value";
    }

    /** {@code s} safe to show: control characters escaped, at most 64 characters. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 70));
        for (int i = 0; i < s.length(); i++) {
            if (b.length() >= 64) {
                b.append("...");
                break;
            }
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
