package dev.herald.server.auth.sign;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs requests with an app's key and secret by SDK-HMAC-SHA256, as the JavaScript signer does: every given
 * header is signed, and so are {@code host} and {@code x-sdk-date}. The caller sends the request target exactly
 * as it passed it here, the {@code Host} it passed here, and adds {@link Signed#headers()}.
 *
 * <p>Thread-safe. {@link #toString()} never shows the secret.
 */
public final class Signer {
    /** The format of {@code X-Sdk-Date}, always UTC. */
    public static final DateTimeFormatter DATE_FORMAT =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private static final HexFormat HEX = HexFormat.of();

    private final String appKey;
    private final byte[] secret;

    /**
     * @param appKey the AppKey, sent as {@code Access=}
     * @param appSecret the AppSecret; its UTF-8 bytes are the HMAC key
     */
    public Signer(String appKey, String appSecret) {
        requireNonNull(appKey, "appKey");
        requireNonNull(appSecret, "appSecret");
        if (appKey.isEmpty() || !appKey.chars().allMatch(c -> c > 0x20 && c < 0x7F && c != ',')) {
            throw new IllegalArgumentException("appKey: " + appKey + " (expected: visible ASCII without ',')");
        }
        this.appKey = appKey;
        this.secret = appSecret.getBytes(StandardCharsets.UTF_8);
    }

    /** What to add to a signed request. */
    public record Signed(String authorization, String xSdkDate, String canonicalRequest) {
        public Signed {
            requireNonNull(authorization, "authorization");
            requireNonNull(xSdkDate, "xSdkDate");
            requireNonNull(canonicalRequest, "canonicalRequest");
        }

        /** {@code Authorization} and {@code X-Sdk-Date}, to add to the request. */
        public Map<String, String> headers() {
            return Map.of("Authorization", authorization, "X-Sdk-Date", xSdkDate);
        }
    }

    /**
     * Signs a request given as an absolute URL ({@code https://host[:port]/path?query}). The host is signed as
     * written, explicit port included (even a default one): the client must send exactly that {@code Host}.
     */
    public Signed sign(String method, String url, Map<String, String> headers, byte[] body, Instant date) {
        requireNonNull(url, "url");
        int scheme = url.indexOf("://");
        if (scheme <= 0) {
            throw new IllegalArgumentException("url: " + CanonicalRequest.shorten(url)
                    + " (expected: an absolute URL such as https://host/path)");
        }
        String rest = url.substring(scheme + 3);
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash); // a fragment is never sent
        }
        int end = 0;
        while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != '?') {
            end++;
        }
        String host = rest.substring(0, end);
        String target = rest.substring(end);
        if (target.isEmpty() || target.charAt(0) == '?') {
            target = "/" + target;
        }
        return sign(method, target, host, headers, body, date);
    }

    /**
     * Signs a request.
     *
     * @param method the method; uppercased
     * @param target the request target as it will be sent: path and optional {@code ?query}, percent-encoded
     * @param host the {@code Host} header the request will carry, with any explicit port
     * @param headers further headers to sign (not {@code Host}, {@code Authorization} or {@code X-Sdk-Date});
     *     a signed {@code X-Sdk-Content-Sha256} replaces the body's hash
     * @param body the body; only POST, PUT and PATCH sign it unless {@code X-Sdk-Content-Sha256} is given
     * @param date when the request is signed; sent as {@code X-Sdk-Date}, whole seconds
     * @throws IllegalArgumentException if the request cannot be signed, or would be refused as signed
     */
    public Signed sign(String method, String target, String host, Map<String, String> headers, byte[] body,
            Instant date) {
        requireNonNull(method, "method");
        requireNonNull(target, "target");
        requireNonNull(host, "host");
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
        requireNonNull(date, "date");
        if (!target.startsWith("/")) {
            throw new IllegalArgumentException("target: " + CanonicalRequest.shorten(target)
                    + " (expected: a path starting with /)");
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host: empty (expected: host[:port])");
        }
        String xSdkDate = DATE_FORMAT.format(date);
        HttpHeaders all = new DefaultHttpHeaders();
        TreeMap<String, String> lowercase = new TreeMap<>();
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("host") || name.equals("authorization") || name.equals("x-sdk-date")) {
                throw new IllegalArgumentException("headers: " + header.getKey()
                        + " (expected: not Host, Authorization or X-Sdk-Date, which the signer sets)");
            }
            if (lowercase.put(name, header.getKey()) != null) {
                throw new IllegalArgumentException("headers: " + name + " given twice (expected: once)");
            }
            // Trimmed as the canonical request trims it (and as a client sends it: Netty refuses leading space).
            all.add(header.getKey(), CanonicalRequest.jsTrim(requireNonNull(header.getValue(), header.getKey())));
        }
        all.add("Host", host);
        all.add("X-Sdk-Date", xSdkDate);
        lowercase.put("host", "Host");
        lowercase.put("x-sdk-date", "X-Sdk-Date");
        List<String> signedHeaders = new ArrayList<>(lowercase.keySet()); // sorted, as the JavaScript signer sorts

        String upper = method.toUpperCase(Locale.ROOT);
        CanonicalRequest canonical = CanonicalRequest.of(upper, target, all, signedHeaders, body);
        if (!canonical.bodyMatchesDeclaredHash()) {
            throw new IllegalArgumentException("X-Sdk-Content-Sha256: not the SHA-256 of the body"
                    + " (expected: UNSIGNED-PAYLOAD or the body's hash)");
        }
        String signature = HEX.formatHex(hmacSha256(secret, canonical.stringToSign(xSdkDate)));
        String authorization = CanonicalRequest.ALGORITHM + " Access=" + appKey + ", SignedHeaders="
                + String.join(";", signedHeaders) + ", Signature=" + signature;
        return new Signed(authorization, xSdkDate, canonical.text());
    }

    /** HMAC-SHA256 of the UTF-8 bytes of {@code data}. */
    static byte[] hmacSha256(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // SecretKeySpec refuses an empty key; HMAC pads a short key with zeros, so one zero byte is the same key.
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new AssertionError("every JVM has HmacSHA256", e);
        }
    }

    @Override
    public String toString() {
        return "Signer{" + appKey + "}";
    }
}
