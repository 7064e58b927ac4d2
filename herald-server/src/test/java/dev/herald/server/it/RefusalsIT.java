package dev.herald.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every refusal of the publish and stream APIs: the status, a problem body, and nothing stored. */
class RefusalsIT {
    private static final int MAX_DATA = 64 * 1024;
    private static final int MAX_BODY = 1024 * 1024;
    private static HeraldServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = HeraldServer.start(HeraldConfig.builder().port(0).host("127.0.0.1").memoryStore().clockDemo(false)
                .maxDataBytes(MAX_DATA).maxBodyBytes(MAX_BODY).maxBatch(100).everythingPublic().build());
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> badPublishes() {
        String longTopic = "t/" + "x".repeat(255);
        return Stream.of(
                Arguments.of("malformed JSON", "application/json", "{\"topic\":", 400, "malformed-json"),
                Arguments.of("empty body", "application/json", "", 400, "malformed-json"),
                Arguments.of("JSON scalar", "application/json", "42", 400, "malformed-json"),
                Arguments.of("empty batch", "application/json", "[]", 400, "empty-batch"),
                Arguments.of("duplicate key", "application/json", "{\"topic\":\"a\",\"topic\":\"b\",\"data\":\"x\"}",
                        400, "malformed-json"),
                Arguments.of("unknown field", "application/json", "{\"topic\":\"a\",\"dat\":\"x\"}", 400,
                        "unknown-field"),
                Arguments.of("missing topic", "application/json", "{\"data\":\"x\"}", 400, "missing-field"),
                Arguments.of("missing data", "application/json", "{\"topic\":\"a\"}", 400, "missing-field"),
                Arguments.of("topic not a string", "application/json", "{\"topic\":1,\"data\":\"x\"}", 400,
                        "malformed-field"),
                Arguments.of("empty segment", "application/json", "{\"topic\":\"a//b\",\"data\":\"x\"}", 400,
                        "invalid-topic"),
                Arguments.of("wildcard topic", "application/json", "{\"topic\":\"a/+\",\"data\":\"x\"}", 400,
                        "invalid-topic"),
                Arguments.of("topic too long", "application/json",
                        "{\"topic\":\"" + longTopic + "\",\"data\":\"x\"}", 400, "invalid-topic"),
                Arguments.of("event with LF", "application/json",
                        "{\"topic\":\"a\",\"event\":\"x\\ndata: y\",\"data\":\"x\"}", 400, "invalid-event"),
                Arguments.of("event with CR", "application/json",
                        "{\"topic\":\"a\",\"event\":\"x\\ry\",\"data\":\"x\"}", 400, "invalid-event"),
                Arguments.of("event of 65", "application/json",
                        "{\"topic\":\"a\",\"event\":\"" + "e".repeat(65) + "\",\"data\":\"x\"}", 400, "invalid-event"),
                Arguments.of("reserved event", "application/json",
                        "{\"topic\":\"a\",\"event\":\"herald.truncated\",\"data\":\"x\"}", 400, "reserved-event"),
                Arguments.of("lone surrogate", "application/json", "{\"topic\":\"a\",\"data\":\"\\ud800\"}", 400,
                        "invalid-utf8"),
                Arguments.of("bad item in batch", "application/json",
                        "[{\"topic\":\"a\",\"data\":\"ok\"},{\"topic\":\"a/\",\"data\":\"x\"}]", 400, "invalid-topic"),
                Arguments.of("batch over limit", "application/json",
                        "[" + "{\"topic\":\"a\",\"data\":\"x\"},".repeat(100) + "{\"topic\":\"a\",\"data\":\"x\"}]",
                        413, "batch-too-large"),
                Arguments.of("data over limit", "application/json",
                        "{\"topic\":\"a\",\"data\":\"" + "d".repeat(MAX_DATA + 1) + "\"}", 413, "data-too-large"),
                Arguments.of("multibyte data over limit", "application/json",
                        "{\"topic\":\"a\",\"data\":\"" + "\u00e9".repeat(MAX_DATA / 2) + "x\"}", 413, "data-too-large"),
                Arguments.of("malformed form", "application/x-www-form-urlencoded", "topic=a&data=%zz", 400,
                        "malformed-form"),
                Arguments.of("form without data", "application/x-www-form-urlencoded", "topic=a", 400,
                        "missing-field"),
                Arguments.of("form field twice", "application/x-www-form-urlencoded", "topic=a&data=1&data=2", 400,
                        "repeated-field"),
                Arguments.of("text/plain", "text/plain", "hello", 415, "unsupported-media-type"),
                Arguments.of("no content type", null, "{\"topic\":\"a\",\"data\":\"x\"}", 415,
                        "unsupported-media-type"),
                Arguments.of("latin-1 charset", "application/json; charset=iso-8859-1",
                        "{\"topic\":\"a\",\"data\":\"x\"}", 415, "unsupported-charset"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPublishes")
    void aBadPublishIsRefusedAndStoresNothing(String name, String type, String body, int status, String problem)
            throws Exception {
        long before = server.hub().log().head();
        HttpResponse<String> r = http.post("/api/v1/publish", type, body.getBytes(StandardCharsets.UTF_8));
        assertProblem(r, status, problem);
        assertThat(server.hub().log().head()).isEqualTo(before);
    }

    @Test
    void invalidUtf8IsRefused() throws Exception {
        byte[] body = "{\"topic\":\"a\",\"data\":\"?\"}".getBytes(StandardCharsets.US_ASCII);
        body[body.length - 3] = (byte) 0xC3; // a lead byte with no continuation
        assertProblem(http.post("/api/v1/publish", "application/json", body), 400, "invalid-utf8");
        assertProblem(http.post("/api/v1/publish", "application/x-www-form-urlencoded",
                "topic=a&data=%C3%28".getBytes(StandardCharsets.US_ASCII)), 400, "invalid-utf8");
    }

    @Test
    void dataAtTheLimitIsAcceptedAndOneByteMoreIsNot() throws Exception {
        assertThat(http.publishJson("{\"topic\":\"a\",\"data\":\"" + "d".repeat(MAX_DATA) + "\"}").statusCode())
                .isEqualTo(200);
        assertProblem(http.publishJson("{\"topic\":\"a\",\"data\":\"" + "d".repeat(MAX_DATA + 1) + "\"}"), 413,
                "data-too-large");
        assertThat(http.publishJson("{\"topic\":\"a\",\"event\":\"" + "e".repeat(64) + "\",\"data\":\"x\"}")
                .statusCode()).isEqualTo(200);
        assertThat(http.publishJson("{\"topic\":\"" + "x".repeat(256) + "\",\"data\":\"x\"}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void aBodyOverTheLimitIsRefused() throws Exception {
        long before = server.hub().log().head();
        byte[] body = new byte[MAX_BODY + 1];
        java.util.Arrays.fill(body, (byte) ' ');
        assertProblem(http.post("/api/v1/publish", "application/json", body), 413, "body-too-large");
        assertThat(server.hub().log().head()).isEqualTo(before);
    }

    @Test
    void otherMethodsAndPathsAreRefused() throws Exception {
        HttpResponse<String> get = http.get("/api/v1/publish");
        assertProblem(get, 405, "method-not-allowed");
        assertThat(get.headers().firstValue("allow")).contains("POST, OPTIONS");
        assertProblem(http.get("/nothing-here"), 404, "not-found");
        assertProblem(http.get("/../etc/passwd"), 404, "not-found");
    }

    @Test
    void badStreamRequestsAreRefused() throws Exception {
        assertProblem(http.get("/api/v1/stream"), 400, "missing-topic");
        assertProblem(http.get("/api/v1/stream?topic=a/%23/b"), 400, "invalid-topic");
        assertProblem(http.get("/api/v1/stream?topic=a&lastEventId=garbage"), 400, "malformed-cursor");
        assertProblem(http.get("/api/v1/stream?topic=a&history=-1"), 400, "invalid-history");
        assertProblem(http.get("/api/v1/stream?topic=a&history=1001"), 400, "invalid-history");
        assertProblem(http.get("/api/v1/stream?" + "topic=a&".repeat(65)), 400, "too-many-topics");
        var request = java.net.http.HttpRequest.newBuilder(http.uri("/api/v1/stream?topic=a"))
                .header("Last-Event-ID", "12345").build();
        assertProblem(http.client.send(request, HttpResponse.BodyHandlers.ofString()), 400, "malformed-cursor");
    }

    @Test
    void headersAndTopicCountsAreBoundedAtTheirLimits() throws Exception {
        // 16 KiB of headers in all: one header just under is accepted, one just over is refused with 431.
        String under = "x".repeat(16_384 - 200);
        var ok = java.net.http.HttpRequest.newBuilder(http.uri("/healthz")).header("X-Big", under).build();
        assertThat(http.client.send(ok, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        var tooBig = java.net.http.HttpRequest.newBuilder(http.uri("/healthz")).header("X-Big", "x".repeat(16_385))
                .build();
        assertProblem(http.client.send(tooBig, HttpResponse.BodyHandlers.ofString()), 431, "headers-too-large");

        String topics64 = "topic=a&".repeat(63) + "topic=b";
        try (SseClient at = http.stream(topics64, null)) {
            assertThat(at.response.statusCode()).isEqualTo(200);
        }
        assertProblem(http.get("/api/v1/stream?" + topics64 + "&topic=c"), 400, "too-many-topics");
    }

    static void assertProblem(HttpResponse<String> r, int status, String type) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).contains("application/problem+json; charset=utf-8");
        assertThat(r.body()).contains("\"type\":\"urn:herald:problem:" + type + "\"")
                .contains("\"status\":" + status).contains("\"detail\":\"");
    }
}
