package dev.herald.server.auth.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.LeakDetection;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.sign.SignatureVerifier.Result;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random requests signed both by {@link Signer} and by {@code web/herald-sign.js} in one Node process: both
 * give the same {@code Authorization}, and {@link SignatureVerifier} accepts the JavaScript signature on the
 * request as fetch would send it. The seed is printed on failure; {@code -Dherald.seed=N} repeats a run and
 * {@code -Dherald.roundTrips=N} makes it longer.
 */
@ExtendWith(LeakDetection.class)
class SignatureRoundTripTest {
    private static final long SEED = Long.getLong("herald.seed", System.nanoTime());
    private static final int RANDOM_REQUESTS = Integer.getInteger("herald.roundTrips", 200);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] METHODS = {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"};
    private static final String[] HOSTS = {"herald.example", "localhost:8080", "127.0.0.1:9443", "[::1]:8081",
            "push.herald.example:8443"};
    private static final String[] COMMON = {"a", "Z", "0", "9", "-", ".", "_", "~", "!", "$", "'", "(", ")", "*",
            "+", ",", ";", ":", "@", "%2F", "%2f", "%3F", "%23", "%2B", "%26", "%3D", "%25", "%3A", "%40", "%24",
            "%2C", "%3B", "%20", " ", "%E4%B8%AD", "%c3%a9", "%F0%9F%98%80", "é", "中", "😀", "ß", "%7E", "%41",
            "\"", "<", ">", "`", "{", "}", "|", "^", "[", "]", "topic", "chat", "room-42"};
    private static final String[] PATH_ONLY = {"&", "="};
    private static final String[] QUERY_ONLY = {"/", "?"};
    private static final String[] HEADER_NAMES = {"Accept", "Content-Type", "X-Custom", "x-trace-id", "X-Empty",
            "If-None-Match", "Last-Event-ID", "X-Stage"};
    private static final String HEADER_CHARS = "abcXYZ019 !#$%&'()*+,-./:;<=>?@[]^_`{|}~\"\té";
    private static final String BODY_CHARS = "abc XYZ019{}\":,[]\n\r\té中😀ß\u00A0";
    private static final String[] SECRETS = {"secret", "s3cret-ünïcode-秘密", "a,b;c=d \t", "😀😀😀"};

    private static final Map<String, JsonNode> RESULTS = new HashMap<>();
    private static final List<Case> CASES = new ArrayList<>();
    private static final JsonNode VECTORS = loadVectors();

    /** One request, as both signers get it. */
    record Case(String id, String method, String scheme, String host, String target, Map<String, String> headers,
            String body, String appKey, String appSecret, Instant date) {
        String url() {
            return scheme + "://" + host + target;
        }

        byte[] bodyBytes() {
            return body.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return id + " " + method + " " + url() + " headers=" + headers + " body=" + JSON.valueToTree(body)
                    + " date=" + date;
        }
    }

    @BeforeAll
    static void signAllInOneNodeProcess() throws Exception {
        Random random = new Random(SEED);
        for (int i = 0; i < RANDOM_REQUESTS; i++) {
            CASES.add(randomCase("r" + i, random));
        }
        ArrayNode requests = JSON.createArrayNode();
        CASES.forEach(c -> requests.add(request(c)));
        for (JsonNode v : VECTORS.get("vectors")) {
            ObjectNode request = requests.addObject();
            request.put("id", v.get("id").asText());
            request.setAll((ObjectNode) v.get("input").deepCopy());
            request.put("appKey", VECTORS.get("appKey").asText());
            request.put("appSecret", VECTORS.get("appSecret").asText());
            request.put("date", "2024-03-26T03:08:01Z");
        }
        for (Map.Entry<String, String> bad : refusedTargets().entrySet()) {
            requests.add(request(new Case(bad.getKey(), "GET", "https", "herald.example", bad.getValue(), Map.of(),
                    "", "K", "secret", Instant.parse("2024-03-26T03:08:01Z"))));
        }
        for (JsonNode result : runNode(requests)) {
            RESULTS.put(result.get("id").asText(), result);
        }
        assertThat(RESULTS).hasSize(requests.size());
    }

    @Test
    void javaAndJavaScriptSignAlikeAndTheServerVerifiesTheJavaScriptSignature() {
        assertThat(CASES).hasSize(RANDOM_REQUESTS);
        for (Case c : CASES) {
            String context = "seed " + SEED + ", " + c;
            JsonNode js = RESULTS.get(c.id());
            assertThat(js.has("error")).as(context + "\n" + js).isFalse();
            Signer.Signed java = new Signer(c.appKey(), c.appSecret()).sign(c.method(), c.target(), c.host(),
                    c.headers(), c.bodyBytes(), c.date());
            assertThat(js.at("/canonicalRequest").asText()).as(context).isEqualTo(java.canonicalRequest());
            assertThat(js.at("/headers/Authorization").asText()).as(context).isEqualTo(java.authorization());
            assertThat(js.at("/headers/X-Sdk-Date").asText()).as(context).isEqualTo(java.xSdkDate());
            assertThat(js.get("host").asText()).as(context).isEqualTo(c.host());

            // The JavaScript signature, on the request as fetch sends it: the URL parser's path and query.
            String wire = js.get("target").asText();
            assertThat(verify(c, wire, js.at("/headers/Authorization").asText())).as(context + " sent as " + wire)
                    .isEqualTo(new Result.Verified(app(c)));
            // And on the target as written, when it is one that can be sent as it is.
            if (c.target().chars().allMatch(ch -> ch > 0x20 && ch < 0x7F && "\"<>`{}".indexOf(ch) < 0)) {
                assertThat(verify(c, c.target(), java.authorization())).as(context)
                        .isEqualTo(new Result.Verified(app(c)));
            }
        }
    }

    @Test
    void heraldSignJsReproducesTheVectorsAndSignsTheHostABrowserSends() {
        for (JsonNode v : VECTORS.get("vectors")) {
            String id = v.get("id").asText();
            JsonNode js = RESULTS.get(id);
            assertThat(js.has("error")).as(id + " " + js).isFalse();
            if (id.startsWith("D5-")) {
                // https://apig.example.com:443/ : the URL parser drops the default port, and so does the Host
                // header a browser sends; signing ":443" would fail there.
                assertThat(js.get("host").asText()).isEqualTo("apig.example.com");
                assertThat(js.get("canonicalRequest").asText()).contains("\nhost:apig.example.com\n");
            } else {
                assertThat(js.get("canonicalRequest").asText()).as(id).isEqualTo(v.at("/js/canonicalRequest").asText());
                assertThat(js.at("/headers/Authorization").asText()).as(id)
                        .isEqualTo(v.at("/js/authorization").asText());
            }
            App app = new App("vectors", VECTORS.get("appKey").asText(), VECTORS.get("appSecret").asText(),
                    Permissions.NONE, List.of(), 100, List.of());
            HttpHeaders headers = new DefaultHttpHeaders();
            v.at("/input/headers").properties().forEach(e -> headers.add(e.getKey(), e.getValue().asText()));
            headers.add("Host", js.get("host").asText());
            js.get("headers").properties().forEach(e -> headers.add(e.getKey(), e.getValue().asText()));
            SignatureVerifier verifier = new SignatureVerifier(k -> Optional.of(app),
                    Clock.fixed(Instant.parse("2024-03-26T03:08:01Z"), ZoneOffset.UTC), new ReplayGuard());
            assertThat(SignatureVerifierTest.verify(verifier, v.at("/input/method").asText(),
                    js.get("target").asText(), headers, v.at("/input/body").asText().getBytes(StandardCharsets.UTF_8)))
                    .as(id).isEqualTo(new Result.Verified(app));
        }
    }

    @Test
    void bothSignersRefuseWhatTheServerWouldRefuse() {
        Signer signer = new Signer("K", "secret");
        for (Map.Entry<String, String> bad : refusedTargets().entrySet()) {
            assertThat(RESULTS.get(bad.getKey()).has("error")).as(bad.getValue() + " " + RESULTS.get(bad.getKey()))
                    .isTrue();
            assertThatThrownBy(() -> signer.sign("GET", bad.getValue(), "herald.example", Map.of(), new byte[0],
                    Instant.now())).as(bad.getValue()).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static Map<String, String> refusedTargets() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("bad-escape-path", "/a%zz");
        bad.put("bad-escape-query", "/a?q=%G1");
        bad.put("truncated-utf8", "/a/%E4%B8");
        bad.put("overlong-utf8", "/a?q=%C0%AF");
        bad.put("encoded-surrogate", "/a/%ED%A0%80");
        bad.put("empty-name", "/a?q=1&=x");
        return bad;
    }

    private static Result verify(Case c, String target, String authorization) {
        HttpHeaders headers = new DefaultHttpHeaders();
        // As Netty's decoder hands them over: without the optional white space around the value.
        c.headers().forEach((name, value) -> headers.add(name, value.replaceAll("^[ \t]+|[ \t]+$", "")));
        headers.add("Host", c.host());
        headers.add("X-Sdk-Date", Signer.DATE_FORMAT.format(c.date()));
        headers.add("Authorization", authorization);
        headers.add("X-Forwarded-For", "203.0.113.7"); // a proxy's unsigned header changes nothing
        // The server's clock is somewhere inside the window; a fresh guard, as each request is verified twice.
        Instant now = c.date().plusSeconds(c.date().getEpochSecond() % 1801 - 900);
        SignatureVerifier verifier = new SignatureVerifier(k -> k.equals(c.appKey()) ? Optional.of(app(c))
                : Optional.empty(), Clock.fixed(now, ZoneOffset.UTC), new ReplayGuard());
        return SignatureVerifierTest.verify(verifier, c.method(), target, headers, c.bodyBytes());
    }

    private static App app(Case c) {
        return new App("app", c.appKey(), c.appSecret(), Permissions.NONE, List.of(), 100, List.of());
    }

    private static Case randomCase(String id, Random random) {
        String host = pick(random, HOSTS);
        String scheme = random.nextBoolean() ? "https" : "http";
        StringBuilder target = new StringBuilder();
        int segments = random.nextInt(5);
        for (int i = 0; i < Math.max(1, segments); i++) {
            target.append('/');
            String segment;
            do {
                segment = atoms(random, random.nextInt(6), COMMON, PATH_ONLY);
            } while (segment.equals(".") || segment.equals("..")); // the URL parser would resolve them
            target.append(segment);
        }
        if (random.nextInt(4) > 0) {
            target.append('?');
            List<String> keys = new ArrayList<>();
            int items = random.nextInt(7);
            for (int i = 0; i < items; i++) {
                if (i > 0) {
                    target.append(random.nextInt(10) == 0 ? "&&" : "&");
                }
                String key = !keys.isEmpty() && random.nextInt(3) == 0 ? keys.get(random.nextInt(keys.size()))
                        : atoms(random, 1 + random.nextInt(4), COMMON, QUERY_ONLY);
                keys.add(key);
                target.append(key);
                int shape = random.nextInt(5);
                if (shape == 0) {
                    continue; // a bare flag
                }
                target.append('=');
                if (shape > 1) {
                    target.append(atoms(random, random.nextInt(6), COMMON, QUERY_ONLY, new String[] {"="}));
                }
            }
        }
        if (target.charAt(target.length() - 1) == ' ') {
            target.append('z'); // the URL parser strips trailing spaces from a URL
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            String name = pick(random, HEADER_NAMES);
            if (headers.keySet().stream().noneMatch(n -> n.equalsIgnoreCase(name))) {
                headers.put(random.nextBoolean() ? name : name.toLowerCase(Locale.ROOT), headerValue(random));
            }
        }
        String method = pick(random, METHODS);
        StringBuilder body = new StringBuilder();
        for (int i = random.nextInt(3) == 0 ? 0 : random.nextInt(80); i > 0; i--) {
            body.appendCodePoint(BODY_CHARS.codePointAt(BODY_CHARS.offsetByCodePoints(0,
                    random.nextInt(BODY_CHARS.codePointCount(0, BODY_CHARS.length())))));
        }
        int payload = random.nextInt(8);
        if (payload == 0) {
            headers.put("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD");
        } else if (payload == 1) {
            headers.put("x-sdk-content-sha256",
                    CanonicalRequest.sha256Hex(body.toString().getBytes(StandardCharsets.UTF_8)));
        }
        Instant date = Instant.ofEpochSecond(946_684_800L + (long) (random.nextDouble() * 3_155_760_000L));
        return new Case(id, method, scheme, host, target.toString(), headers, body.toString(),
                "APPKEY-" + random.nextInt(1000), pick(random, SECRETS), date);
    }

    private static String atoms(Random random, int count, String[]... alphabets) {
        int total = 0;
        for (String[] alphabet : alphabets) {
            total += alphabet.length;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            int n = random.nextInt(total);
            for (String[] alphabet : alphabets) {
                if (n < alphabet.length) {
                    out.append(alphabet[n]);
                    break;
                }
                n -= alphabet.length;
            }
        }
        return out.toString();
    }

    private static String headerValue(Random random) {
        StringBuilder value = new StringBuilder();
        if (random.nextInt(4) == 0) {
            value.append(random.nextBoolean() ? " " : " \t");
        }
        for (int i = random.nextInt(20); i > 0; i--) {
            value.append(HEADER_CHARS.charAt(random.nextInt(HEADER_CHARS.length())));
        }
        if (random.nextInt(4) == 0) {
            value.append(random.nextBoolean() ? "  " : "\u00A0");
        }
        return value.toString();
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static ObjectNode request(Case c) {
        ObjectNode request = JSON.createObjectNode();
        request.put("id", c.id());
        request.put("method", c.method());
        request.put("url", c.url());
        request.set("headers", JSON.valueToTree(c.headers()));
        request.put("body", c.body());
        request.put("appKey", c.appKey());
        request.put("appSecret", c.appSecret());
        request.put("date", c.date().toString());
        return request;
    }

    private static JsonNode loadVectors() {
        try (InputStream in = SignatureRoundTripTest.class.getResourceAsStream("/apig/vectors.json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs {@code sign-roundtrip.mjs} once over every request. */
    private static JsonNode runNode(ArrayNode requests) throws Exception {
        Path script = Path.of(SignatureRoundTripTest.class.getResource("/sign-roundtrip.mjs").toURI());
        Path module = findUp(Path.of("web", "herald-sign.js"));
        Path stderr = Files.createTempFile("sign-roundtrip", ".stderr");
        try {
            Process node;
            try {
                node = new ProcessBuilder("node", script.toString(), module.toString())
                        .redirectError(stderr.toFile()).start();
            } catch (IOException e) {
                throw new AssertionError("Cannot run `node` (" + e.getMessage() + "). This test runs"
                        + " web/herald-sign.js in Node.js 20 or later, which this machine image includes: put `node`"
                        + " on the PATH.", e);
            }
            try (OutputStream in = node.getOutputStream()) {
                in.write(JSON.writeValueAsBytes(requests));
            } catch (IOException e) {
                // node exited before reading: its stderr says why
                node.waitFor(10, TimeUnit.SECONDS);
            }
            byte[] out = node.getInputStream().readAllBytes();
            if (!node.waitFor(60, TimeUnit.SECONDS)) {
                node.destroyForcibly();
                throw new AssertionError("node did not finish within 60 s");
            }
            assertThat(node.exitValue()).as("node exit status; stderr:\n" + Files.readString(stderr)).isZero();
            JsonNode results = JSON.readTree(out);
            assertThat(results.isArray()).as(new String(out, StandardCharsets.UTF_8)).isTrue();
            return results;
        } finally {
            Files.deleteIfExists(stderr);
        }
    }

    private static Path findUp(Path relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(relative))) {
                return dir.resolve(relative).toAbsolutePath();
            }
        }
        throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
    }
}
