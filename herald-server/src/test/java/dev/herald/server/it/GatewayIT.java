package dev.herald.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Selector;
import dev.herald.server.HeraldServer;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.sign.Signer;
import dev.herald.server.auth.token.TokenMinter;
import dev.herald.server.config.HeraldConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway's duties over real sockets: who may do what, and what each limit does at its bound. */
class GatewayIT {
    static final App CHAT = new App("chat", "HKCHATAPPKEY00000001", "chat-secret-0123456789-abcdefghijklmnop",
            new Permissions(List.of(Selector.of("chat/#"), Selector.of("user/{sub}/#")),
                    List.of(Selector.of("chat/#"), Selector.of("user/{sub}/#"))),
            List.of("http://allowed.example"), 0, List.of());
    static final App OTHER = new App("other", "HKOTHERAPPKEY0000002", "other-secret-0123456789-abcdefghijklmn",
            new Permissions(List.of(Selector.of("other/#")), List.of(Selector.of("other/#"))), List.of(), 3, List.of());

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Http start(HeraldConfig.Builder builder) {
        HeraldServer server = HeraldServer.start(builder.port(0).host("127.0.0.1").memoryStore().bare()
                .access(new Access(HeraldConfig.DEFAULT_ACCESS.publicTopics(), List.of(), List.of(CHAT, OTHER)))
                .build());
        open.add(server);
        return new Http(server.port());
    }

    private SseClient track(SseClient c) {
        open.add(c);
        return c;
    }

    /** A request signed as {@code app} would be by the public signer SDKs, sent as signed. */
    private static HttpRequest signed(Http http, App app, String method, String pathAndQuery, String body,
            Instant date) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = body.isEmpty() ? Map.of() : Map.of("Content-Type", "application/json");
        Signer.Signed s = new Signer(app.key(), app.secret()).sign(method, http.base + pathAndQuery, headers, bytes,
                date);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.base + pathAndQuery))
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(bytes));
        headers.forEach(b::header);
        s.headers().forEach(b::header);
        return b.build();
    }

    private static HttpResponse<String> send(Http http, HttpRequest request) throws Exception {
        return http.client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String publishBody(String topic, String data) {
        return "{\"topic\":\"" + topic + "\",\"data\":\"" + data + "\"}";
    }

    @Test
    void anonymousRequestsMayUseOnlyThePublicTopics() throws Exception {
        Http http = start(HeraldConfig.builder());
        assertThat(http.publishJson(publishBody("demo/hello", "hi")).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = http.publishJson(publishBody("chat/room-1", "hi"));
        RefusalsIT.assertProblem(refused, 401, "credentials-required");
        assertThat(refused.headers().firstValue("www-authenticate")).isPresent();
        RefusalsIT.assertProblem(http.get("/api/v1/stream?topic=chat/room-1"), 401, "credentials-required");
        // A wildcard reaching beyond the public topics is allowed, and delivers only the public ones.
        SseClient all = track(http.stream("topic=%23", null));
        PublishSubscribeIT.awaitOpen(all);
        assertThat(http.publishJson(publishBody("demo/hello", "public")).statusCode()).isEqualTo(200);
        assertThat(all.next().data()).isEqualTo("public");
    }

    @Test
    void aSignedAppPublishesAndSubscribesWithinItsPermissions() throws Exception {
        Http http = start(HeraldConfig.builder());
        HttpResponse<InputStream> stream = http.client.send(
                signed(http, CHAT, "GET", "/api/v1/stream?topic=chat/%23", "", Instant.now()),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        stream.body().close();

        HttpResponse<String> ok = send(http, signed(http, CHAT, "POST", "/api/v1/publish",
                publishBody("chat/room-1", "signed"), Instant.now()));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        RefusalsIT.assertProblem(send(http, signed(http, CHAT, "POST", "/api/v1/publish",
                publishBody("other/x", "not mine"), Instant.now())), 403, "forbidden");
        RefusalsIT.assertProblem(send(http, signed(http, CHAT, "GET", "/api/v1/stream?topic=other/x", "",
                Instant.now())), 403, "forbidden");
    }

    @Test
    void signatureAttacksFail() throws Exception {
        Http http = start(HeraldConfig.builder());
        HttpRequest once = signed(http, CHAT, "POST", "/api/v1/publish", publishBody("chat/a", "x"), Instant.now());
        assertThat(send(http, once).statusCode()).isEqualTo(200);
        RefusalsIT.assertProblem(send(http, once), 401, "replayed");

        RefusalsIT.assertProblem(send(http, signed(http, CHAT, "POST", "/api/v1/publish", publishBody("chat/a", "x"),
                Instant.now().minus(Duration.ofMinutes(16)))), 401, "expired");
        RefusalsIT.assertProblem(send(http, signed(http, CHAT, "POST", "/api/v1/publish", publishBody("chat/a", "x"),
                Instant.now().plus(Duration.ofMinutes(16)))), 401, "not-yet-valid");

        HttpRequest tampered = signed(http, CHAT, "POST", "/api/v1/publish", publishBody("chat/a", "x"), Instant.now());
        HttpRequest withOtherBody = HttpRequest.newBuilder(tampered.uri())
                .POST(HttpRequest.BodyPublishers.ofString(publishBody("chat/a", "y")))
                .headers(flatten(tampered)).build();
        RefusalsIT.assertProblem(send(http, withOtherBody), 401, "signature-mismatch");

        App forged = new App("x", "HKNOSUCHAPPKEY000000", CHAT.secret(), CHAT.permissions(), List.of(), 0, List.of());
        RefusalsIT.assertProblem(send(http, signed(http, forged, "POST", "/api/v1/publish",
                publishBody("chat/a", "x"), Instant.now())), 401, "unknown-app-key");
        App wrongSecret = new App("chat", CHAT.key(), "wrong-secret-0123456789-abcdefghijklmno", CHAT.permissions(),
                List.of(), 0, List.of());
        HttpResponse<String> mismatch = send(http, signed(http, wrongSecret, "POST", "/api/v1/publish",
                publishBody("chat/a", "x"), Instant.now()));
        RefusalsIT.assertProblem(mismatch, 401, "signature-mismatch");

        var malformed = HttpRequest.newBuilder(http.uri("/api/v1/publish")).header("Content-Type", "application/json")
                .header("Authorization", "SDK-HMAC-SHA256 Access=x").POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
        RefusalsIT.assertProblem(send(http, malformed), 401, "malformed-credentials");
    }

    private static String[] flatten(HttpRequest request) {
        List<String> pairs = new ArrayList<>();
        request.headers().map().forEach((name, values) -> values.forEach(v -> {
            pairs.add(name);
            pairs.add(v);
        }));
        return pairs.toArray(String[]::new);
    }

    @Test
    void aUserTokenReadsOnlyWhatItsAppAndItsUserMay() throws Exception {
        Http http = start(HeraldConfig.builder());
        HttpResponse<String> minted = send(http, signed(http, CHAT, "POST", "/api/v1/tokens",
                "{\"user\":\"alice\",\"subscribe\":[\"#\"],\"publish\":[\"chat/#\",\"other/#\"],\"ttlSeconds\":600}",
                Instant.now()));
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
        String token = minted.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");

        // Whatever she asks for, alice sees her own private topic and chat, never bob's or another app's.
        SseClient everything = track(http.stream("topic=%23&access_token=" + token, null));
        PublishSubscribeIT.awaitOpen(everything);
        for (String topic : List.of("user/bob/inbox", "other/x", "user/alice/inbox", "chat/room-1")) {
            App by = topic.startsWith("other") ? OTHER : CHAT;
            assertThat(send(http, signed(http, by, "POST", "/api/v1/publish", publishBody(topic, topic),
                    Instant.now())).statusCode()).isEqualTo(200);
        }
        assertThat(everything.next(2)).extracting(SseClient.Event::data)
                .containsExactly("user/alice/inbox", "chat/room-1");
        Thread.sleep(200);
        assertThat(everything.events).isEmpty();

        RefusalsIT.assertProblem(http.get("/api/v1/stream?topic=user/bob/%23&access_token=" + token), 403,
                "forbidden");
        RefusalsIT.assertProblem(http.get("/api/v1/stream?topic=other/%23&access_token=" + token), 403, "forbidden");

        var bearer = HttpRequest.newBuilder(http.uri("/api/v1/publish")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(publishBody("chat/room-1", "from alice"))).build();
        assertThat(send(http, bearer).statusCode()).isEqualTo(200);
        var escalation = HttpRequest.newBuilder(http.uri("/api/v1/publish")).header("Cookie", "herald_token=" + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(publishBody("other/x", "not hers"))).build();
        RefusalsIT.assertProblem(send(http, escalation), 403, "forbidden");

        RefusalsIT.assertProblem(http.get("/api/v1/stream?topic=chat/x&access_token=" + token + "x"), 401,
                "signature-mismatch");
        RefusalsIT.assertProblem(send(http, HttpRequest.newBuilder(http.uri("/api/v1/tokens"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"user\":\"mallory\"}")).build()), 403, "app-signature-required");
    }

    @Test
    void aStreamWhoseTokenExpiresIsToldToRenew() throws Exception {
        Http http = start(HeraldConfig.builder());
        String token = new TokenMinter().mint(CHAT, "alice", List.of("chat/#"), List.of(), Duration.ofSeconds(2));
        SseClient stream = track(http.stream("topic=chat/room-1&access_token=" + token, null));
        SseClient.Event last = stream.next();
        assertThat(last.event()).isEqualTo("herald.token-expired");
        assertThat(last.data()).contains("renew");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!stream.ended && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(stream.ended).isTrue();
        // Past the clock-skew leeway, the same kind of token is refused outright.
        String stale = new TokenMinter(java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofMinutes(-10)))
                .mint(CHAT, "alice", List.of("chat/#"), List.of(), Duration.ofMinutes(1));
        RefusalsIT.assertProblem(http.get("/api/v1/stream?topic=chat/room-1&access_token=" + stale), 401, "expired");
    }

    @Test
    void browserOriginsAreCheckedAndPreflightsAnswered() throws Exception {
        Http http = start(HeraldConfig.builder());
        String token = new TokenMinter().mint(CHAT, "alice", List.of("chat/#"), List.of("chat/#"),
                Duration.ofMinutes(5));
        HttpResponse<String> preflight = send(http, HttpRequest.newBuilder(http.uri("/api/v1/publish"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://allowed.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type, x-sdk-date, last-event-id")
                .build());
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).contains("http://allowed.example");
        assertThat(preflight.headers().firstValue("access-control-allow-credentials")).contains("true");
        assertThat(preflight.headers().firstValue("access-control-allow-headers").orElse("").toLowerCase())
                .contains("authorization", "x-sdk-date", "x-sdk-content-sha256", "content-type", "last-event-id");

        HttpResponse<String> refusedPreflight = send(http, HttpRequest.newBuilder(http.uri("/api/v1/publish"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://evil.example")
                .header("Access-Control-Request-Method", "POST").build());
        assertThat(refusedPreflight.headers().firstValue("access-control-allow-origin")).isEmpty();

        var fromAllowed = HttpRequest.newBuilder(http.uri("/api/v1/publish")).header("Origin", "http://allowed.example")
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(publishBody("chat/room-1", "ok"))).build();
        HttpResponse<String> allowed = send(http, fromAllowed);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("access-control-allow-origin")).contains("http://allowed.example");
        var fromEvil = HttpRequest.newBuilder(http.uri("/api/v1/publish")).header("Origin", "http://evil.example")
                .header("Cookie", "herald_token=" + token).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("topic=chat/room-1&data=csrf")).build();
        RefusalsIT.assertProblem(send(http, fromEvil), 403, "origin-not-allowed");
    }

    @Test
    void anAppsPublishRateIsLimitedAtItsBound() throws Exception {
        Http http = start(HeraldConfig.builder());
        // OTHER may publish 3 per second, 6 in a burst: a batch of 6 passes, the next message does not.
        StringBuilder six = new StringBuilder("[");
        for (int i = 0; i < 6; i++) {
            six.append(i == 0 ? "" : ",").append(publishBody("other/t", "m" + i));
        }
        six.append(']');
        assertThat(send(http, signed(http, OTHER, "POST", "/api/v1/publish", six.toString(), Instant.now()))
                .statusCode()).isEqualTo(200);
        HttpResponse<String> over = send(http, signed(http, OTHER, "POST", "/api/v1/publish",
                publishBody("other/t", "one more"), Instant.now()));
        RefusalsIT.assertProblem(over, 429, "publish-rate");
        assertThat(over.headers().firstValue("retry-after")).contains("1");
    }

    @Test
    void anAddressIsLimitedInRequestsPerSecond() throws Exception {
        Http http = start(HeraldConfig.builder().requestsPerSecondPerIp(5));
        // 5 per second, 10 in a burst.
        int passed = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 11; i++) {
            last = http.get("/healthz");
            passed += last.statusCode() == 200 ? 1 : 0;
        }
        assertThat(passed).isEqualTo(10);
        RefusalsIT.assertProblem(last, 429, "request-rate");
        assertThat(last.headers().firstValue("retry-after")).isPresent();
    }

    @Test
    void anAddressIsLimitedInConnectionsAndHeaderTime() throws Exception {
        Http http = start(HeraldConfig.builder().connectionsPerIp(4).headerTimeout(Duration.ofMillis(300)));
        int port = Integer.parseInt(http.base.substring(http.base.lastIndexOf(':') + 1));
        List<Socket> sockets = new ArrayList<>();
        try {
            // Four connections are allowed; the server may accept five opened at once in any order, so exactly one
            // of them is refused, and the four idle ones time out waiting for headers.
            for (int i = 0; i < 5; i++) {
                sockets.add(new Socket("127.0.0.1", port));
            }
            List<String> answers = new ArrayList<>();
            for (Socket s : sockets) {
                s.setSoTimeout(5000);
                answers.add(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            assertThat(answers).filteredOn(a -> a.startsWith("HTTP/1.1 429 Too Many Requests"))
                    .singleElement().asString().contains("too-many-connections").contains("retry-after: 1");
            assertThat(answers).filteredOn(a -> a.startsWith("HTTP/1.1 408 Request Timeout")).hasSize(4);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        // Headers sent a line at a time, slower than the deadline, get 408 too.
        try (Socket slow = new Socket("127.0.0.1", port)) {
            slow.setSoTimeout(5000);
            OutputStream out = slow.getOutputStream();
            long start = System.nanoTime();
            out.write("GET /healthz HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(150);
            out.write("Host: x\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String timedOut = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(timedOut).startsWith("HTTP/1.1 408 Request Timeout").contains("header-timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }
}
