package dev.herald.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.herald.core.Selector;
import dev.herald.server.HeraldServer;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.token.TokenMinter;
import dev.herald.server.config.HeraldConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A page from another origin that holds only a token: it publishes with fetch (a CORS preflight, since it
 * sends Authorization and JSON) and subscribes with EventSource. From an allowed origin both work; from a
 * refused one the browser blocks both.
 */
class CrossOriginPageIT {
    @RegisterExtension
    final Chromium chromium = new Chromium();

    private HttpServer allowedSite;
    private HttpServer refusedSite;
    private HeraldServer herald;

    @AfterEach
    void stop() {
        if (herald != null) {
            herald.close();
        }
        allowedSite.stop(0);
        refusedSite.stop(0);
    }

    private static HttpServer site(String[] page) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = page[0].getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void aTokenPageWorksFromAnAllowedOriginAndIsBlockedFromAnother() throws Exception {
        String[] page = new String[1];
        allowedSite = site(page);
        refusedSite = site(page);
        String allowedOrigin = "http://127.0.0.1:" + allowedSite.getAddress().getPort();
        App app = new App("chat", "HKCHATAPPKEY00000001", "chat-secret-0123456789-abcdefghijklmnop",
                new Permissions(List.of(Selector.of("chat/#")), List.of(Selector.of("chat/#"))),
                List.of(allowedOrigin), 0, List.of());
        herald = HeraldServer.start(HeraldConfig.builder().port(0).host("127.0.0.1").memoryStore().bare()
                .access(new Access(HeraldConfig.DEFAULT_ACCESS.publicTopics(), List.of(), List.of(app))).build());
        String token = new TokenMinter().mint(app, "alice", List.of("chat/#"), List.of("chat/#"),
                Duration.ofMinutes(5));
        page[0] = page("http://127.0.0.1:" + herald.port(), token);

        chromium.open(allowedOrigin + "/");
        chromium.await(Duration.ofSeconds(15), () -> "the message to come back; page says "
                + chromium.text("#publish") + " / " + chromium.text("#received"),
                // The stream may bring the message before the publish's answer is read.
                b -> chromium.text("#received").equals("hello from the page")
                        && !chromium.text("#publish").isEmpty());
        assertThat(chromium.text("#publish")).isEqualTo("200");
        chromium.screenshot("cross-origin-allowed");

        chromium.open("http://127.0.0.1:" + refusedSite.getAddress().getPort() + "/");
        chromium.await(Duration.ofSeconds(15), () -> "the browser to block the refused origin; page says "
                + chromium.text("#publish") + " / " + chromium.text("#stream"),
                b -> chromium.text("#publish").equals("blocked") && chromium.text("#stream").equals("error"));
        assertThat(chromium.text("#received")).isEmpty();
        chromium.screenshot("cross-origin-refused");
    }

    private static String page(String herald, String token) {
        return """
                <!doctype html><html><body>
                <p>publish: <span id="publish"></span></p>
                <p>stream: <span id="stream"></span></p>
                <p>received: <span id="received"></span></p>
                <script>
                const herald = '%s', token = '%s';
                const es = new EventSource(herald + '/api/v1/stream?topic=chat/room-1&access_token=' + token);
                es.onopen = async () => {
                  document.getElementById('stream').textContent = 'open';
                  try {
                    const r = await fetch(herald + '/api/v1/publish', {method: 'POST',
                      headers: {'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'},
                      body: JSON.stringify({topic: 'chat/room-1', data: 'hello from the page'})});
                    document.getElementById('publish').textContent = String(r.status);
                  } catch (e) { document.getElementById('publish').textContent = 'blocked'; }
                };
                es.onerror = async () => {
                  if (es.readyState === EventSource.CLOSED) {
                    document.getElementById('stream').textContent = 'error';
                    es.close();
                    try {
                      await fetch(herald + '/api/v1/publish', {method: 'POST',
                        headers: {'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'},
                        body: JSON.stringify({topic: 'chat/room-1', data: 'should not pass'})});
                      document.getElementById('publish').textContent = 'sent';
                    } catch (e) { document.getElementById('publish').textContent = 'blocked'; }
                  }
                };
                es.onmessage = (e) => { document.getElementById('received').textContent = e.data; };
                </script></body></html>
                """.formatted(herald, token);
    }
}
