package dev.herald.server.auth.sign;

import static java.util.Objects.requireNonNull;

import dev.herald.server.auth.AuthFailure;
import dev.herald.server.auth.AuthFailure.Reason;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The canonical request of SDK-HMAC-SHA256, built from a request as it was sent, by the JavaScript signer's
 * rules:
 *
 * <pre>
 * Method LF CanonicalURI LF CanonicalQuery LF CanonicalHeaders LF SignedHeaders LF PayloadHash
 * </pre>
 *
 * <ul>
 *   <li>The method as given (callers pass it uppercase; the signers uppercase it).
 *   <li>The path, percent-decoded as JavaScript's {@code decodeURI} does (escapes of {@code ; / ? : @ & = + $ , #}
 *       stay as they are, so {@code %2F} signs as {@code %252F}), split on {@code /}, each segment encoded keeping
 *       only {@code A-Z a-z 0-9 - . _ ~} (others as UTF-8 {@code %XX}, uppercase hex), joined with {@code /}, and a
 *       {@code /} appended if it does not end in one: {@code /x} and {@code /x/} sign the same.
 *   <li>The query split on {@code &}, each item on its first {@code =} ({@code flag} is {@code flag=}), keys and
 *       values decoded (see {@link QueryDecoding}; {@code +} is a literal plus), sorted by key then value in UTF-16
 *       code-unit order, encoded as path segments are. Empty items ({@code a=1&&b=2}) carry nothing and are
 *       skipped, as the JavaScript signer skips them; an item with an empty name and a value ({@code =x}) is
 *       refused, because that signer would drop it from what it signs while servers still read it.
 *   <li>For each signed header, in the order given, {@code name:value} with the value trimmed as JavaScript's
 *       {@code String.prototype.trim} does, then LF. A signed header must appear exactly once: the JavaScript
 *       signer keeps one value per name, so two values could not both be what was signed, and which one a
 *       server would act on is not what the signer decided.
 *   <li>The lowercase hex SHA-256 of the body for POST, PUT and PATCH; of the empty string for every other method
 *       (the JavaScript signer ignores their body). A signed {@code X-Sdk-Content-Sha256} replaces it verbatim:
 *       {@code UNSIGNED-PAYLOAD} leaves the body unsigned; a hex value must still be the body's hash (see
 *       {@link #bodyMatchesDeclaredHash()}).
 * </ul>
 *
 * <p>The request is never decoded into parameters first: canonicalizing the raw target is what makes two
 * encodings of one request sign alike and two different requests sign differently. Malformed input (an invalid
 * %-escape, invalid UTF-8 behind escapes, a lone surrogate, a missing or repeated signed header) throws
 * {@link InvalidRequestException}.
 */
public final class CanonicalRequest {
    /** The scheme of the {@code Authorization} header and the first line of the string to sign. */
    public static final String ALGORITHM = "SDK-HMAC-SHA256";
    /** The value of {@code X-Sdk-Content-Sha256} that leaves the body unsigned. */
    public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    /** The header that, when signed, replaces the body's hash. */
    public static final String CONTENT_SHA256 = "x-sdk-content-sha256";

    private static final HexFormat HEX = HexFormat.of();
    private static final String EMPTY_SHA256 = sha256Hex(new byte[0]);
    /** What {@code decodeURI} leaves encoded: an escape of one of these stays as it was written. */

    /** How the keys and values of a query are decoded before they are sorted and encoded again. */
    public enum QueryDecoding {
        /**
         * JavaScript's {@code decodeURI}: what the JavaScript signer does to the URL it is given, and so what a
         * browser's request, sent as it was signed, needs. Escapes of {@code ; / ? : @ & = + $ , #} stay encoded.
         */
        DECODE_URI,
        /**
         * JavaScript's {@code decodeURIComponent}: every escape decoded. The JavaScript SDK does not send the URL
         * it was given but its own canonical query (every reserved character escaped), which this decoding turns
         * back into the canonical query it signed; {@link #DECODE_URI} would encode those escapes a second time.
         */
        DECODE_URI_COMPONENT
    }

    private final String text;
    private final String payloadHash;
    private final boolean bodyMatchesDeclaredHash;

    private CanonicalRequest(String text, String payloadHash, boolean bodyMatchesDeclaredHash) {
        this.text = text;
        this.payloadHash = payloadHash;
        this.bodyMatchesDeclaredHash = bodyMatchesDeclaredHash;
    }

    /** The canonical request with the query decoded as {@link QueryDecoding#DECODE_URI} does. */
    public static CanonicalRequest of(String method, String target, HttpHeaders headers, List<String> signedHeaders,
            byte[] body) {
        return of(method, target, headers, signedHeaders, body, QueryDecoding.DECODE_URI);
    }

    /**
     * Builds the canonical request.
     *
     * @param method the request method, as sent
     * @param target the request target as sent: path and optional {@code ?query}, still percent-encoded
     * @param headers the request's headers; only those named in {@code signedHeaders} count
     * @param signedHeaders the lowercase names of the signed headers, in the order they were signed
     * @param body the body bytes (empty when there is none)
     * @param queryDecoding how the query's keys and values are decoded
     * @throws InvalidRequestException if the request cannot be canonicalized
     */
    public static CanonicalRequest of(String method, String target, HttpHeaders headers, List<String> signedHeaders,
            byte[] body, QueryDecoding queryDecoding) {
        requireNonNull(method, "method");
        requireNonNull(target, "target");
        requireNonNull(headers, "headers");
        requireNonNull(signedHeaders, "signedHeaders");
        requireNonNull(body, "body");
        requireNonNull(queryDecoding, "queryDecoding");
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);

        StringBuilder text = new StringBuilder(256);
        text.append(method).append('\n');
        text.append(canonicalUri(path.isEmpty() ? "/" : path)).append('\n');
        text.append(canonicalQuery(query, queryDecoding)).append('\n');
        String declaredHash = null;
        Set<String> seen = new HashSet<>();
        for (String name : signedHeaders) {
            if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT))) {
                throw malformed("SignedHeaders: " + shorten(name) + " (expected: a lowercase header name)");
            }
            if (!seen.add(name)) {
                throw malformed("SignedHeaders: " + name + " is listed twice");
            }
            String value = jsTrim(single(headers, name));
            text.append(name).append(':').append(value).append('\n');
            if (name.equals(CONTENT_SHA256)) {
                declaredHash = value;
            }
        }
        text.append('\n');
        text.append(String.join(";", signedHeaders)).append('\n');

        String payloadHash;
        boolean matches = true;
        if (declaredHash == null) {
            boolean hashed = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
            payloadHash = hashed ? sha256Hex(body) : EMPTY_SHA256;
        } else if (declaredHash.equals(UNSIGNED_PAYLOAD)) {
            payloadHash = UNSIGNED_PAYLOAD;
        } else if (isHex64(declaredHash)) {
            payloadHash = declaredHash; // verbatim, case included, as the signer used it
            matches = declaredHash.equalsIgnoreCase(sha256Hex(body));
        } else {
            throw malformed("X-Sdk-Content-Sha256: " + shorten(declaredHash)
                    + " (expected: UNSIGNED-PAYLOAD or the body's SHA-256 as 64 hex digits)");
        }
        text.append(payloadHash);
        return new CanonicalRequest(text.toString(), payloadHash, matches);
    }

    /** The canonical request itself. */
    public String text() {
        return text;
    }

    /** The last line: the body's hash, or the signed {@code X-Sdk-Content-Sha256} value. */
    public String payloadHash() {
        return payloadHash;
    }

    /**
     * False only when a signed {@code X-Sdk-Content-Sha256} gives a hex hash that is not the body's: the request
     * must then be refused even if its signature is right, because the body is not the one that was signed.
     */
    public boolean bodyMatchesDeclaredHash() {
        return bodyMatchesDeclaredHash;
    }

    /** {@code SDK-HMAC-SHA256 LF xSdkDate LF hex(SHA-256(canonical request))}: what the HMAC is computed over. */
    public String stringToSign(String xSdkDate) {
        requireNonNull(xSdkDate, "xSdkDate");
        return ALGORITHM + '\n' + xSdkDate + '\n' + sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return text;
    }

    /** The canonical URI of a raw path: {@code decodeURI}, split on {@code /}, segments encoded, a final {@code /}. */
    public static String canonicalUri(String rawPath) {
        String decoded = UriCoding.decode(rawPath, true, "path");
        StringBuilder out = new StringBuilder(decoded.length() + 8);
        int start = 0;
        while (true) {
            int slash = decoded.indexOf('/', start);
            UriCoding.encode(slash < 0 ? decoded.substring(start) : decoded.substring(start, slash), out);
            if (slash < 0) {
                break;
            }
            out.append('/');
            start = slash + 1;
        }
        if (out.length() == 0 || out.charAt(out.length() - 1) != '/') {
            out.append('/');
        }
        return out.toString();
    }

    /** The canonical query of a raw query (without the {@code ?}); empty for an empty query. */
    public static String canonicalQuery(String rawQuery, QueryDecoding decoding) {
        if (rawQuery.isEmpty()) {
            return "";
        }
        boolean keepReserved = decoding == QueryDecoding.DECODE_URI;
        List<String[]> pairs = new ArrayList<>();
        int start = 0;
        while (start <= rawQuery.length()) {
            int amp = rawQuery.indexOf('&', start);
            int end = amp < 0 ? rawQuery.length() : amp;
            String item = rawQuery.substring(start, end);
            start = end + 1;
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            String key = eq < 0 ? item : item.substring(0, eq);
            String value = eq < 0 ? "" : item.substring(eq + 1);
            if (key.isEmpty()) {
                throw malformed("query item " + shorten(item) + " has an empty name, which is not signed");
            }
            pairs.add(new String[] {UriCoding.decode(key, keepReserved, "query"), UriCoding.decode(value, keepReserved, "query")});
        }
        // String.compareTo compares UTF-16 code units, as JavaScript's default sort does.
        pairs.sort((a, b) -> {
            int byKey = a[0].compareTo(b[0]);
            return byKey != 0 ? byKey : a[1].compareTo(b[1]);
        });
        StringBuilder out = new StringBuilder(rawQuery.length() + 16);
        for (String[] pair : pairs) {
            if (out.length() > 0) {
                out.append('&');
            }
            UriCoding.encode(pair[0], out);
            out.append('=');
            UriCoding.encode(pair[1], out);
        }
        return out.toString();
    }

    /**
     * Whether a raw query holds an escape of a character {@code decodeURI} leaves encoded: only then do the two
     * {@link QueryDecoding}s give different canonical queries.
     */
    public static boolean decodingsDiffer(String rawQuery) {
        for (int i = rawQuery.indexOf('%'); i >= 0 && i + 2 < rawQuery.length(); i = rawQuery.indexOf('%', i + 1)) {
            int b = UriCoding.hexByte(rawQuery, i);
            if (b >= 0 && UriCoding.isReserved(b)) {
                return true;
            }
        }
        return false;
    }

    /** Lowercase hex SHA-256. */
    static String sha256Hex(byte[] data) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JVM has SHA-256", e);
        }
    }

    /** The one value of a signed header. */
    private static String single(HttpHeaders headers, String name) {
        List<String> values = headers.getAll(name);
        if (values.isEmpty()) {
            throw malformed("signed header " + name + " is missing from the request");
        }
        if (values.size() > 1) {
            throw malformed("signed header " + name + " appears " + values.size()
                    + " times (expected: once, so that what was signed is not ambiguous)");
        }
        return values.get(0);
    }

    /** {@code String.prototype.trim}: ECMAScript white space and line terminators at either end. */
    static String jsTrim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isJsWhiteSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isJsWhiteSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isJsWhiteSpace(char c) {
        return switch (c) {
            case '\t', '\n', '\u000B', '\f', '\r', ' ', '\u00A0', '\u1680', '\u2028', '\u2029', '\u202F', '\u205F',
                    '\u3000', '\uFEFF' -> true;
            default -> c >= '\u2000' && c <= '\u200A';
        };
    }

    private static boolean isHex64(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            if (UriCoding.hexDigit(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    static InvalidRequestException malformed(String detail) {
        return new InvalidRequestException(new AuthFailure(Reason.MALFORMED, detail));
    }

    /** At most 40 characters of client input in a message. */
    static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** A request that cannot be canonicalized, with the refusal to answer it with. */
    public static final class InvalidRequestException extends IllegalArgumentException {
        private final transient AuthFailure failure;

        public InvalidRequestException(AuthFailure failure) {
            super(requireNonNull(failure, "failure").detail());
            this.failure = failure;
        }

        /** The refusal, in terms the client can act on. */
        public AuthFailure failure() {
            return failure;
        }
    }
}
