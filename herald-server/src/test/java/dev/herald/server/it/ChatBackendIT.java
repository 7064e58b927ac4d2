package dev.herald.server.it;

import static dev.herald.server.it.RefusalsIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the chat stands on, over real sockets: presence on every transport (one user however many connections,
 * announced as userlogin / userlogout), the presence list and its permissions, the sender stamp that nothing in
 * a message can forge, the demo backend's tokens, and the admin statistics.
 */
class ChatBackendIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "admin-token-for-tests-0123456789";

    private final List<AutoCloseable> open = new ArrayList<>();
    private Http http;

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Http start(HeraldConfig.Builder builder) {
        HeraldServer server = HeraldServer.start(builder.port(0).host("127.0.0.1").memoryStore().clockDemo(false)
                .plantDemo(false).adminToken(ADMIN).build());
        open.add(server);
        http = new Http(server.port());
        return http;
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private String token(String name) throws Exception {
        HttpResponse<String> r = http.post("/api/v1/demo/token", "application/json",
                JSON.writeValueAsBytes(java.util.Map.of("username", name)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("token").asText();
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.uri(path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> publish(String token, String json) throws Exception {
        return http.client.send(HttpRequest.newBuilder(http.uri("/api/v1/publish"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> present(String topic, String token) throws Exception {
        HttpResponse<String> r = get("/api/v1/presence?topic=" + topic, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("topic").asText()).isEqualTo(topic);
        List<String> users = new ArrayList<>();
        body.get("users").forEach(u -> users.add(u.get("username").asText()));
        return users;
    }

    /** "userlogin alice" for each presence event, in order. */
    private static String presenceEvent(SseClient.Event e) throws Exception {
        return e.event() + " " + JSON.readTree(e.data()).get("username").asText();
    }

    @Test
    void everyTransportMakesAUserPresentOnceHoweverManyConnectionsItHas() throws Exception {
        start(HeraldConfig.builder());
        String watcher = token("watcher");
        String alice = token("alice");
        String bob = token("bob");
        String carol = token("carol");
        // A wildcard watches every room and is in none.
        SseClient room = track(http.stream("topic=chat/%2B&access_token=" + watcher, null));
        Thread.sleep(100);

        SseClient aliceTab1 = track(http.stream("topic=chat/lobby&access_token=" + alice, null));
        assertThat(presenceEvent(room.next())).isEqualTo("userlogin alice");
        SseClient aliceTab2 = track(http.stream("topic=chat/lobby&topic=chat/ops&access_token=" + alice, null));
        assertThat(presenceEvent(room.next())).as("her second tab is in chat/ops too").isEqualTo("userlogin alice");
        assertThat(present("chat/lobby", watcher)).containsExactly("alice");
        assertThat(present("chat/ops", watcher)).containsExactly("alice");

        WsClient bobSocket = track(WsClient.connect(http, "access_token=" + bob));
        bobSocket.subscribe("s1", "[\"chat/lobby\"]", null);
        bobSocket.next("subscribed");
        assertThat(presenceEvent(room.next())).isEqualTo("userlogin bob");

        HttpResponse<String> poll = get("/api/v1/poll?topic=chat/lobby&timeout=0", carol);
        assertThat(poll.statusCode()).as(poll.body()).isEqualTo(200);
        assertThat(presenceEvent(room.next())).isEqualTo("userlogin carol");
        get("/api/v1/poll?topic=chat/lobby&timeout=0", carol); // a poll again: still present, not announced again
        assertThat(present("chat/lobby", alice)).containsExactly("alice", "bob", "carol");

        aliceTab1.close();
        Thread.sleep(200);
        assertThat(present("chat/lobby", watcher)).as("her other tab holds her there").contains("alice");
        assertThat(room.events).isEmpty();
        aliceTab2.close();
        List<String> left = List.of(presenceEvent(room.next()), presenceEvent(room.next()));
        assertThat(left).containsExactly("userlogout alice", "userlogout alice"); // chat/lobby and chat/ops

        bobSocket.send("{\"type\":\"unsubscribe\",\"id\":\"s1\"}");
        List<String> bobSaw = new ArrayList<>();
        for (JsonNode f = bobSocket.next(); !f.path("type").asText().equals("unsubscribed"); f = bobSocket.next()) {
            bobSaw.add(f.at("/message/event").asText() + " " + JSON.readTree(f.at("/message/data").asText())
                    .get("username").asText());
        }
        assertThat(bobSaw).as("his own arrival first").containsExactly("userlogin bob", "userlogin carol",
                "userlogout alice");
        assertThat(presenceEvent(room.next())).isEqualTo("userlogout bob");
        // Carol polled: she stays for her lease (15 s after a plain poll), then leaves without a word from her.
        assertThat(present("chat/lobby", watcher)).containsExactly("carol");
        assertThat(room.events.poll(1, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void thePresenceListIsForWhoeverMaySubscribe() throws Exception {
        start(HeraldConfig.builder());
        String alice = token("alice");
        assertProblem(get("/api/v1/presence?topic=chat/lobby", null), 401, "credentials-required");
        assertProblem(get("/api/v1/presence?topic=news/today", alice), 403, "forbidden");
        assertProblem(get("/api/v1/presence?topic=chat/%2B", alice), 400, "invalid-topic");
        assertProblem(get("/api/v1/presence", alice), 400, "missing-topic");
        assertProblem(get("/api/v1/presence?topic=demo/hello", null), 404, "presence-not-tracked");
        assertThat(present("chat/lobby", alice)).isEmpty();
    }

    @Test
    void theServerStampsTheSenderAndNothingInAMessageCanForgeItOrAPresenceEvent() throws Exception {
        start(HeraldConfig.builder());
        String alice = token("alice");
        String bob = token("bob");
        SseClient reader = track(http.stream("topic=chat/lobby&access_token=" + token("reader"), null));
        assertThat(reader.next().event()).isEqualTo("userlogin");

        String forged = "{\"from\":\"bob\",\"text\":\"transfer the money\"}";
        HttpResponse<String> r = publish(alice, JSON.writeValueAsString(java.util.Map.of("topic", "chat/lobby",
                "data", forged)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode stamped = JSON.readTree(reader.next().data());
        assertThat(stamped.get("from").asText()).isEqualTo("alice");
        assertThat(stamped.get("text").asText()).isEqualTo(forged);
        assertThat(stamped.get("time").asText()).endsWith("Z");

        WsClient bobSocket = track(WsClient.connect(http, "access_token=" + bob));
        bobSocket.send("{\"type\":\"publish\",\"ref\":\"r1\",\"topic\":\"chat/lobby\",\"data\":{\"from\":\"alice\"}}");
        bobSocket.next("published");
        JsonNode overWs = JSON.readTree(reader.next().data());
        assertThat(overWs.get("from").asText()).isEqualTo("bob");
        assertThat(overWs.get("text").asText()).isEqualTo("{\"from\":\"alice\"}");

        assertProblem(publish(alice, "{\"topic\":\"chat/lobby\",\"event\":\"userlogout\",\"data\":"
                + "\"{\\\"username\\\":\\\"bob\\\"}\"}"), 403, "reserved-event");
        bobSocket.send("{\"type\":\"publish\",\"ref\":\"r2\",\"topic\":\"chat/lobby\",\"event\":\"userlogin\","
                + "\"data\":\"x\"}");
        assertThat(bobSocket.next("error").path("problem").path("type").asText())
                .isEqualTo("urn:herald:problem:reserved-event");
        assertThat(reader.events.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void theDemoBackendChecksNamesAndLimitsEachAddress() throws Exception {
        start(HeraldConfig.builder());
        for (String bad : List.of("", "   ", "<script>", "-dash", "x".repeat(25), "tab\there")) {
            assertProblem(http.post("/api/v1/demo/token", "application/json",
                    JSON.writeValueAsBytes(java.util.Map.of("username", bad))), 400, "invalid-username");
        }
        assertProblem(http.post("/api/v1/demo/token", "application/json", "{\"name\":1}".getBytes()), 400,
                "missing-field");
        assertProblem(http.post("/api/v1/demo/token", "application/json", "{".getBytes()), 400, "malformed-json");

        HttpResponse<String> ok = http.post("/api/v1/demo/token", "application/json",
                JSON.writeValueAsBytes(java.util.Map.of("username", "  Zoë Lee-2 ")));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body()).get("username").asText()).isEqualTo("Zoë Lee-2");
        assertThat(JSON.readTree(ok.body()).get("expiresIn").asInt()).isEqualTo(3600);

        int granted = 1;
        HttpResponse<String> last;
        do {
            last = http.post("/api/v1/demo/token", "application/json", "{\"username\":\"spam\"}".getBytes());
        } while (last.statusCode() == 200 && ++granted < 100);
        assertThat(granted).as("tokens before the limit").isBetween(9, 11);
        assertProblem(last, 429, "demo-token-rate");
        assertThat(last.headers().firstValue("retry-after")).isPresent();

        start(HeraldConfig.builder().chatDemo(false));
        assertProblem(http.post("/api/v1/demo/token", "application/json", "{\"username\":\"alice\"}".getBytes()),
                404, "not-found");
    }

    @Test
    void theAdminStatisticsNeedTheAdminToken() throws Exception {
        start(HeraldConfig.builder());
        assertProblem(get("/api/v1/admin/stats", null), 401, "admin-credentials-required");
        assertProblem(get("/api/v1/admin/stats", ADMIN + "x"), 401, "admin-credentials-required");
        assertProblem(get("/api/v1/admin/stats", token("alice")), 401, "admin-credentials-required");

        track(http.stream("topic=chat/lobby&access_token=" + token("alice"), null)).next();
        http.publishJson("{\"topic\":\"demo/hello\",\"data\":\"hi\"}");
        HttpResponse<String> r = get("/api/v1/admin/stats", ADMIN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("cache-control")).contains("no-store");
        JsonNode stats = JSON.readTree(r.body());
        assertThat(stats.at("/connections/sse").asInt()).isEqualTo(1);
        assertThat(stats.at("/connections/longpoll").asInt()).isZero();
        assertThat(stats.at("/subscriptions").asInt()).isEqualTo(1);
        assertThat(stats.at("/messages/published").asLong()).isEqualTo(1);
        assertThat(stats.at("/messages/delivered/sse").asLong()).isEqualTo(1); // alice's own arrival
        assertThat(stats.at("/store/head").asLong()).isEqualTo(2);
        assertThat(stats.at("/selectors/0/selector").asText()).isEqualTo("chat/lobby");
        assertThat(stats.at("/jvm/heapUsedBytes").asLong()).isPositive();
        assertThat(stats.at("/append/count").asLong()).isEqualTo(1);
        assertThat(URLEncoder.encode(r.body(), StandardCharsets.UTF_8)).doesNotContain(ADMIN);
    }
}
