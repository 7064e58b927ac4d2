package dev.herald.server.auth.sign;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.LeakDetection;
import dev.herald.server.auth.App;
import dev.herald.server.auth.AuthFailure.Reason;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.sign.CanonicalRequest.QueryDecoding;
import dev.herald.server.auth.sign.SignatureVerifier.Result;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests signed by the public JavaScript signer ({@code apig/vectors.json}): the canonical request, the string
 * to sign and the {@code Authorization} value are reproduced exactly, and the request as that signer sends it
 * verifies. V* vectors agree across signers; D* vectors are where the signers of other languages differ, and
 * the JavaScript behaviour is the one asserted.
 */
@ExtendWith(LeakDetection.class)
class SignatureVectorsTest {
    private static final JsonNode ROOT = load();
    private static final String KEY = ROOT.get("appKey").asText();
    private static final String SECRET = ROOT.get("appSecret").asText();
    private static final String DATE = ROOT.get("xSdkDate").asText();
    private static final Instant AT = Instant.parse("2024-03-26T03:08:01Z");
    private static final App APP = new App("vectors", KEY, SECRET, Permissions.NONE, List.of(), 100, List.of());

    private static JsonNode load() {
        try (InputStream in = SignatureVectorsTest.class.getResourceAsStream("/apig/vectors.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> vectors() {
        return StreamSupport.stream(ROOT.get("vectors").spliterator(), false)
                .map(v -> Arguments.of(Named.of(v.get("id").asText(), v)));
    }

    /** The vectors whose URL, as written, is also a valid request target (D3's has raw spaces). */
    static Stream<Arguments> vectorsWithAWireValidUrl() {
        return vectors().filter(a -> {
            String target = urlTarget(((JsonNode) ((Named<?>) a.get()[0]).getPayload()).at("/input/url").asText());
            return target.chars().allMatch(c -> c > 0x20 && c < 0x7F);
        });
    }

    /** The other signers' columns where they differ from the JavaScript one. */
    static Stream<Arguments> divergentSignatures() {
        List<Arguments> out = new ArrayList<>();
        vectors().forEach(a -> {
            JsonNode v = (JsonNode) ((Named<?>) a.get()[0]).getPayload();
            for (String signer : List.of("python", "java")) {
                JsonNode column = v.get(signer);
                if (column.isObject()) {
                    out.add(Arguments.of(Named.of(v.get("id").asText() + " " + signer, v),
                            column.get("authorization").asText()));
                }
            }
        });
        return out.stream();
    }

    @Test
    void theVectorsAreAllThere() {
        assertThat(ROOT.has("note")).as("the copy names no source").isFalse();
        assertThat(ROOT.get("algorithm").asText()).isEqualTo(CanonicalRequest.ALGORITHM);
        assertThat(vectors()).hasSize(10);
        assertThat(divergentSignatures()).hasSize(7);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void canonicalRequestIsTheJavaScriptSignersOne(JsonNode v) {
        assertThat(canonical(v, urlTarget(url(v)), QueryDecoding.DECODE_URI).text())
                .isEqualTo(v.at("/js/canonicalRequest").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void stringToSignIsTheJavaScriptSignersOne(JsonNode v) {
        assertThat(canonical(v, urlTarget(url(v)), QueryDecoding.DECODE_URI).stringToSign(DATE))
                .isEqualTo(v.at("/js/stringToSign").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void signerReproducesTheAuthorization(JsonNode v) {
        Signer.Signed signed = new Signer(KEY, SECRET).sign(v.at("/input/method").asText(), url(v),
                inputHeaders(v), body(v), AT);
        assertThat(signed.xSdkDate()).isEqualTo(DATE);
        assertThat(signed.canonicalRequest()).isEqualTo(v.at("/js/canonicalRequest").asText());
        assertThat(signed.authorization()).isEqualTo(v.at("/js/authorization").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void theRequestAsTheJavaScriptSdkSendsItVerifies(JsonNode v) {
        assertThat(verify(v, wirePath(v), host(v), v.at("/js/authorization").asText(), body(v)))
                .isEqualTo(new Result.Verified(APP));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectorsWithAWireValidUrl")
    void theUrlAsGivenVerifiesToo(JsonNode v) {
        // What a browser sends for the same signature: the URL as it was signed, not rewritten.
        assertThat(verify(v, urlTarget(url(v)), host(v), v.at("/js/authorization").asText(), body(v)))
                .isEqualTo(new Result.Verified(APP));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("divergentSignatures")
    void anotherSignersDivergentSignatureIsRefused(JsonNode v, String authorization) {
        assertThat(verify(v, wirePath(v), host(v), authorization, body(v)))
                .isInstanceOfSatisfying(Result.Refused.class,
                        r -> assertThat(r.failure().reason()).isEqualTo(Reason.SIGNATURE_MISMATCH));
    }

    @Test
    void d1EscapesOfReservedCharactersStayEncodedAndTheSdksRewrittenQueryStillVerifies() {
        JsonNode v = vector("D1");
        String signed = v.at("/js/canonicalRequest").asText();
        // %2F in the path and %2B, %26 in the query are kept by decodeURI, so they are encoded again; a literal
        // + is a plus, not a space.
        assertThat(signed).contains("\n/sse/a%252Fb/\n", "\nx=1%2B2&y=%252B&z=%2526\n");
        // The SDK sends its canonical query; read with decodeURI, its %2B would be encoded a second time ...
        String wire = wirePath(v);
        assertThat(wire).isEqualTo("/sse/a%252Fb?x=1%2B2&y=%252B&z=%2526");
        assertThat(canonical(v, wire, QueryDecoding.DECODE_URI).text()).isNotEqualTo(signed);
        // ... decoded completely, it is the canonical query the SDK signed.
        assertThat(canonical(v, wire, QueryDecoding.DECODE_URI_COMPONENT).text()).isEqualTo(signed);
        assertThat(CanonicalRequest.decodingsDiffer(wire.substring(wire.indexOf('?') + 1))).isTrue();
    }

    @Test
    void d2QueryIsSortedByUtf16CodeUnits() {
        // é (U+00E9) sorts after z, as JavaScript's sort puts it; the Java signer sorted the encoded form.
        assertThat(vector("D2").at("/js/canonicalRequest").asText()).contains("\nk=z&k=%C3%A9&z=2&%C3%A9=1\n");
    }

    @Test
    void d3RawSpacesInTheUrlSignAsPercent20() {
        JsonNode v = vector("D3");
        assertThat(canonical(v, "/sse/a b?q=x y", QueryDecoding.DECODE_URI).text())
                .isEqualTo(canonical(v, "/sse/a%20b?q=x%20y", QueryDecoding.DECODE_URI).text())
                .contains("\n/sse/a%20b/\nq=x%20y\n");
    }

    @Test
    void d4TheBodyOfADeleteIsNotSigned() {
        JsonNode v = vector("D4");
        String authorization = v.at("/js/authorization").asText();
        assertThat(v.at("/js/canonicalRequest").asText()).endsWith("\n" + CanonicalRequest.sha256Hex(new byte[0]));
        for (String body : List.of("{\"a\":1}", "{\"a\":2}", "")) {
            assertThat(verify(v, wirePath(v), host(v), authorization, body.getBytes(StandardCharsets.UTF_8)))
                    .as(body).isEqualTo(new Result.Verified(APP));
        }
    }

    @Test
    void d5TheHostIsSignedWithTheExplicitPortAsWritten() {
        JsonNode v = vector("D5");
        String authorization = v.at("/js/authorization").asText();
        assertThat(host(v)).isEqualTo("apig.example.com:443");
        assertThat(verify(v, wirePath(v), "apig.example.com:443", authorization, body(v)))
                .isEqualTo(new Result.Verified(APP));
        assertThat(verify(v, wirePath(v), "apig.example.com", authorization, body(v)))
                .isInstanceOfSatisfying(Result.Refused.class,
                        r -> assertThat(r.failure().reason()).isEqualTo(Reason.SIGNATURE_MISMATCH));
    }

    private static Result verify(JsonNode v, String target, String host, String authorization, byte[] body) {
        HttpHeaders headers = new DefaultHttpHeaders();
        inputHeaders(v).forEach(headers::add);
        headers.add("Host", host);
        headers.add("X-Sdk-Date", DATE);
        headers.add("Authorization", authorization);
        SignatureVerifier verifier = new SignatureVerifier(k -> k.equals(KEY) ? Optional.of(APP) : Optional.empty(),
                Clock.fixed(AT, ZoneOffset.UTC), new ReplayGuard());
        return SignatureVerifierTest.verify(verifier, v.at("/input/method").asText(), target, headers, body);
    }

    private static CanonicalRequest canonical(JsonNode v, String target, QueryDecoding decoding) {
        HttpHeaders headers = new DefaultHttpHeaders();
        List<String> signed = new ArrayList<>();
        inputHeaders(v).forEach((name, value) -> {
            headers.add(name, value);
            signed.add(name.toLowerCase(Locale.ROOT));
        });
        headers.add("Host", host(v));
        headers.add("X-Sdk-Date", DATE);
        signed.add("host");
        signed.add("x-sdk-date");
        signed.sort(null);
        return CanonicalRequest.of(v.at("/input/method").asText(), target, headers, signed, body(v), decoding);
    }

    private static JsonNode vector(String prefix) {
        return StreamSupport.stream(ROOT.get("vectors").spliterator(), false)
                .filter(v -> v.get("id").asText().startsWith(prefix + "-")).findFirst().orElseThrow();
    }

    private static String url(JsonNode v) {
        return v.at("/input/url").asText();
    }

    private static Map<String, String> inputHeaders(JsonNode v) {
        Map<String, String> headers = new LinkedHashMap<>();
        v.at("/input/headers").properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
        return headers;
    }

    private static byte[] body(JsonNode v) {
        return v.at("/input/body").asText().getBytes(StandardCharsets.UTF_8);
    }

    private static String wirePath(JsonNode v) {
        JsonNode wire = v.at("/js/wirePathFromSdk");
        return wire.isMissingNode() ? urlTarget(url(v)) : wire.asText();
    }

    /** The host of an absolute URL as written, explicit port included. */
    private static String host(JsonNode v) {
        String rest = url(v).substring(url(v).indexOf("://") + 3);
        int end = rest.length();
        for (char c : new char[] {'/', '?'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return rest.substring(0, end);
    }

    /** The path and query of an absolute URL as written. */
    private static String urlTarget(String url) {
        String rest = url.substring(url.indexOf("://") + 3);
        int slash = rest.indexOf('/');
        int query = rest.indexOf('?');
        int start = slash < 0 ? query : query < 0 ? slash : Math.min(slash, query);
        String target = start < 0 ? "/" : rest.substring(start);
        return target.startsWith("?") ? "/" + target : target;
    }
}
