package dev.herald.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.core.Selector;
import dev.herald.server.HeraldServer;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.sign.Signer;
import dev.herald.server.auth.token.TokenMinter;
import dev.herald.server.config.HeraldConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.chromium.HasNetworkConditions;

/**
 * The JS clients in a real browser: herald.js and herald.classic.js on every transport, and the
 * event-source-polyfill sending APP-signed headers, each resuming across a restart of the server with nothing lost
 * or repeated; and the signed clock page.
 *
 * <p>The client test pages ({@code web/test/browser/*.html}) are served, with the client files they load, straight
 * from {@code web/} by a JDK HttpServer on another port: files under {@code web/test} stay out of the jar, the page
 * server can serve the polyfill from {@code web/node_modules} (installed by {@code ./test}), and a page on another
 * origin than Herald's is how sites embed the client, CORS preflights included. Herald serves the signed clock page
 * itself, same-origin, as it ships.
 *
 * <p>A restart keeps the port (found free beforehand) and the RocksDB data directory, so the cursor the page holds
 * is still good. Nothing can be published while the server is down; the test publishes right after it is back,
 * with the browser kept offline until then, so the client comes back after those messages and must fetch them
 * from history.
 */
class HeraldJsPageIT {
    private static final Path WEB = Path.of(System.getProperty("basedir", "."), "..", "web").toAbsolutePath()
            .normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The polyfill's own backoff doubles up to 16 s; allow for a reconnect after that. */
    private static final Duration RECONNECT = Duration.ofSeconds(40);
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

    @RegisterExtension
    final Chromium chromium = new Chromium();

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private HttpServer pages;
    private String pageOrigin;
    private App app;
    private int heraldPort;
    private HeraldServer herald;

    @BeforeEach
    void startPageServer() throws IOException {
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/", HeraldJsPageIT::serveFromWeb);
        pages.start();
        pageOrigin = "http://127.0.0.1:" + pages.getAddress().getPort();
        app = new App("pages", "HKPAGESAPPKEY0000001", "pages-secret-0123456789-abcdefghijklmnopq",
                new Permissions(List.of(Selector.of("#")), List.of(Selector.of("#"))), List.of(pageOrigin), 0,
                List.of());
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            heraldPort = probe.getLocalPort();
        }
    }

    @AfterEach
    void stop() {
        if (herald != null) {
            herald.close();
        }
        pages.stop(0);
    }

    /** Files under web/, by their path there; nothing outside it. */
    private static void serveFromWeb(HttpExchange exchange) throws IOException {
        try (exchange) {
            Path file = WEB.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            String name = file.getFileName().toString();
            String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
            if (!file.startsWith(WEB) || type == null || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = Files.readAllBytes(file);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private HeraldServer startHerald(boolean clock) {
        herald = HeraldServer.start(HeraldConfig.builder().port(heraldPort).host("127.0.0.1").dataDir(dataDir)
                .clockDemo(clock)
                .access(new Access(HeraldConfig.DEFAULT_ACCESS.publicTopics(), List.of(pageOrigin), List.of(app)))
                .build());
        return herald;
    }

    private String heraldUrl() {
        return "http://127.0.0.1:" + heraldPort;
    }

    /**
     * Stops Herald, waits for the page to notice, starts Herald again on the same port and data, and publishes
     * {@code datas}, with the browser offline meanwhile (DevTools network emulation), so that the client cannot
     * come back before the messages are in: it must get them from history. Returns when they were published.
     */
    private long restartThenPublish(String topic, List<String> datas) throws Exception {
        offline(true);
        herald.close();
        herald = null;
        chromium.await(WAIT, () -> "the page to notice the server went away; statuses " + statuses(),
                b -> statuses().contains("reconnecting")
                        || Boolean.TRUE.equals(script("return (window.errors || []).length > 0")));
        startHerald(false);
        for (String data : datas) {
            publish(topic, data);
        }
        long published = System.currentTimeMillis();
        offline(false);
        return published;
    }

    private void offline(boolean offline) {
        ChromiumNetworkConditions conditions = new ChromiumNetworkConditions();
        conditions.setOffline(offline);
        ((HasNetworkConditions) chromium.driver()).setNetworkConditions(conditions);
    }

    /** When the page's client went live (or the polyfill opened) for the last time, by the page's clock. */
    private long lastLiveAt() {
        return ((Number) script("var s = (window.statuses || []).filter(function (x) { return x.status === 'live'; });"
                + " return s.length ? s[s.length - 1].at : (window.openedAt || [0]).slice(-1)[0];")).longValue();
    }

    private void publish(String topic, String data) throws Exception {
        String url = heraldUrl() + "/api/v1/publish";
        byte[] body = JSON.writeValueAsBytes(Map.of("topic", topic, "data", data));
        Map<String, String> headers = Map.of("Content-Type", "application/json");
        Signer.Signed signed = new Signer(app.key(), app.secret()).sign("POST", url, headers, body, Instant.now());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        signed.headers().forEach(request::header);
        HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    @SuppressWarnings("unchecked")
    private <T> T script(String js) {
        return (T) ((JavascriptExecutor) chromium.driver()).executeScript(js);
    }

    private List<String> statuses() {
        return script("return (window.statuses || []).map(function (s) { return s.status; })");
    }

    private List<JsonNode> received() {
        try {
            List<JsonNode> messages = new ArrayList<>();
            JSON.readTree((String) script("return JSON.stringify(window.received || [])")).forEach(messages::add);
            return messages;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<String> receivedData() {
        return received().stream().map(m -> m.get("data").asText()).toList();
    }

    private static List<String> messages(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "message " + i).toList();
    }

    private static String query(String name, String value) {
        return "&" + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Every message once, in order, with ids that increase: nothing lost, nothing repeated. */
    private void assertReceivedOnceInOrder(List<String> expected) throws InterruptedException {
        chromium.await(RECONNECT, () -> "all " + expected.size() + " messages; the page got " + receivedData()
                + " with statuses " + statuses(), b -> receivedData().size() >= expected.size());
        Thread.sleep(500); // a duplicate would arrive about now
        assertThat(receivedData()).isEqualTo(expected);
        List<String> ids = received().stream().map(m -> m.get("id").asText()).toList();
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids.stream().map(id -> Long.parseLong(id.substring(id.lastIndexOf('-') + 1))).toList())
                .isSorted();
    }

    @ParameterizedTest(name = "{0} over {1} {2}")
    @CsvSource({"module, sse, ''", "module, longpoll, ''", "classic, sse, ''", "classic, longpoll, ''",
        "classic, sse, polyfill"})
    void aClientReceivesAndResumesAcrossAServerRestartWithNothingLost(String client, String transport,
            String polyfill) throws Exception {
        startHerald(false);
        String topic = "pages/" + client + "/" + transport;
        String token = new TokenMinter().mint(app, "alice", List.of("pages/#"), List.of(), Duration.ofMinutes(10));
        chromium.open(pageOrigin + "/test/browser/client-page.html?herald=" + URLEncoder.encode(heraldUrl(),
                StandardCharsets.UTF_8) + query("topic", topic) + query("transport", transport)
                + query("client", client) + query("token", token) + (polyfill.isEmpty() ? "" : query("polyfill", "1")));
        chromium.await(WAIT, () -> "the page to go live; statuses " + statuses(),
                b -> statuses().contains("live"));
        assertThat((String) script("return window.subscription.transport")).isEqualTo(transport);

        for (String data : messages(1, 3)) {
            publish(topic, data);
        }
        assertReceivedOnceInOrder(messages(1, 3));

        long published = restartThenPublish(topic, messages(4, 6));
        assertReceivedOnceInOrder(messages(1, 6));
        assertThat(lastLiveAt()).as("back live after the publishes: delivered from history").isGreaterThan(published);
        publish(topic, "message 7");
        assertReceivedOnceInOrder(messages(1, 7));
        assertThat(statuses().get(statuses().size() - 1)).isEqualTo("live");
        chromium.screenshot("herald-js-" + client + "-" + transport + (polyfill.isEmpty() ? "" : "-" + polyfill));
    }

    @Test
    void withPersistHeraldJsResumesAcrossAPageReload() throws Exception {
        startHerald(false);
        String topic = "pages/persist";
        String token = new TokenMinter().mint(app, "alice", List.of("pages/#"), List.of(), Duration.ofMinutes(10));
        String page = pageOrigin + "/test/browser/client-page.html?herald=" + URLEncoder.encode(heraldUrl(),
                StandardCharsets.UTF_8) + query("topic", topic) + query("token", token) + query("persist", "cursor");
        chromium.open(page);
        chromium.await(WAIT, () -> "the page to go live; statuses " + statuses(), b -> statuses().contains("live"));
        publish(topic, "message 1");
        assertReceivedOnceInOrder(messages(1, 1));
        String cursor = script("return localStorage.getItem('cursor')");
        assertThat(cursor).isEqualTo(received().get(0).get("id").asText());

        chromium.open("about:blank");
        for (String data : messages(2, 3)) {
            publish(topic, data); // while no page is open
        }
        chromium.open(page);
        assertReceivedOnceInOrder(messages(2, 3));
        chromium.screenshot("herald-js-persist");
    }

    @Test
    void thePolyfillSendsAppSignedHeadersAndResumesAcrossARestart() throws Exception {
        startHerald(false);
        String topic = "pages/polyfill/signed";
        chromium.open(pageOrigin + "/test/browser/polyfill-page.html?herald=" + URLEncoder.encode(heraldUrl(),
                StandardCharsets.UTF_8) + query("topic", topic) + query("key", app.key())
                + query("secret", app.secret()));
        chromium.await(WAIT, () -> "the signed stream to open; errors " + script("return window.errors"),
                b -> ((Number) script("return window.opens")).intValue() >= 1);

        for (String data : messages(1, 2)) {
            publish(topic, data);
        }
        assertReceivedOnceInOrder(messages(1, 2));
        String last = received().get(1).get("id").asText();
        chromium.await(WAIT, () -> "the page to sign for the polyfill's next URL",
                b -> ((String) script("return window.signedFor")).endsWith("&lastEventId=" + last));

        long published = restartThenPublish(topic, messages(3, 4));
        assertReceivedOnceInOrder(messages(1, 4));
        assertThat(lastLiveAt()).as("reopened after the publishes: delivered from history").isGreaterThan(published);
        assertThat(((Number) script("return window.opens")).intValue())
                .as("the polyfill itself reconnected, with the headers signed for its URL").isEqualTo(2);
        chromium.screenshot("polyfill-signed");
    }

    @Test
    void theSignedClockPageShowsTicksAndSaysWhenItsSecretIsWrong() throws Exception {
        startHerald(true);
        chromium.open(heraldUrl() + "/");
        WebElement link = chromium.driver().findElement(By.cssSelector("a[href='signed.html']"));
        link.click();
        chromium.await(WAIT, () -> "the signed page", b -> b.getCurrentUrl().endsWith("/signed.html"));

        chromium.driver().findElement(By.id("app-key")).sendKeys(app.key());
        chromium.driver().findElement(By.id("app-secret")).sendKeys(app.secret());
        chromium.driver().findElement(By.id("connect")).click();
        chromium.await(WAIT, () -> "three ticks; the page shows " + chromium.text("#ticks") + " / "
                + chromium.text("#state") + " / " + chromium.text("#notices"),
                b -> Integer.parseInt(chromium.text("#ticks")) >= 3);
        assertThat(chromium.text("#state")).isEqualTo("live");
        assertThat(Instant.parse(chromium.text("#time"))).isCloseTo(Instant.now(),
                org.assertj.core.api.Assertions.within(5, java.time.temporal.ChronoUnit.SECONDS));
        assertThat((String) script("return sessionStorage.getItem('herald.signed-clock.app')")).contains(app.key());
        assertThat((String) script("return localStorage.length + ' ' + document.cookie")).isEqualTo("0 ");
        chromium.screenshot("signed-clock");

        WebElement secret = chromium.driver().findElement(By.id("app-secret"));
        secret.clear();
        secret.sendKeys("not-the-secret");
        chromium.driver().findElement(By.id("connect")).click();
        chromium.await(WAIT, () -> "the refusal; the page shows " + chromium.text("#state"),
                b -> chromium.text("#state").equals("refused"));
        assertThat(chromium.text("#notices")).contains("signature");
        chromium.screenshot("signed-clock-refused");
    }
}
