package dev.herald.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** curl, as the README shows it: publish with -d, watch with -N, poll, resume with Last-Event-ID. */
class CurlIT {
    private HeraldServer server;
    private String base;

    @BeforeEach
    void start() {
        server = HeraldServer.start(HeraldConfig.builder().port(0).host("127.0.0.1").memoryStore().build());
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String curl(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-sS"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl did not finish: " + command);
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void curlWatchesTheClockAndSeesAMessagePublishedWithCurl() throws Exception {
        Process watch = new ProcessBuilder("curl", "-sSN", "--max-time", "4",
                base + "/api/v1/stream?topic=demo/clock&topic=demo/hello").redirectErrorStream(true).start();
        Thread.sleep(1200);
        String published = curl("-d", "topic=demo/hello", "-d", "data=hi from curl", base + "/api/v1/publish");
        assertThat(published).contains("\"topic\":\"demo/hello\"");
        watch.waitFor(10, TimeUnit.SECONDS);
        String stream = new String(watch.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(stream).startsWith("retry: ").contains("data: hi from curl\n");
        assertThat(stream.lines().filter(l -> l.startsWith("data: 20")).count()).as("clock ticks").isGreaterThanOrEqualTo(2);

        String id = published.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1").trim();
        String epoch = id.substring(0, id.indexOf('-'));
        String resumed = curl("-N", "--max-time", "2", "-H", "Last-Event-ID: " + epoch + "-0",
                base + "/api/v1/stream?topic=demo/hello");
        assertThat(resumed).contains("id: " + id + "\ndata: hi from curl\n");
        String polled = curl(base + "/api/v1/poll?topic=demo/hello&timeout=0&cursor=" + epoch + "-0");
        assertThat(polled).contains("\"data\":\"hi from curl\"").contains("\"cursor\":\"" + id + "\"");
    }

    @Test
    void curlSeesProblemsItCanActOn() throws Exception {
        String refused = curl("-i", "-d", "topic=chat/room&data=x", base + "/api/v1/publish");
        assertThat(refused).startsWith("HTTP/1.1 401").contains("application/problem+json")
                .contains("credentials-required");
    }
}
