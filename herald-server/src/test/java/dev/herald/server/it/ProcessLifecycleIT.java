package dev.herald.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Herald in its own process: killed with SIGKILL under load, and stopped with SIGTERM. */
class ProcessLifecycleIT {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedPublishSurvivesKillMinus9() throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("herald.log");
        Map<String, String> acked = new ConcurrentHashMap<>(); // data -> id
        AtomicBoolean stop = new AtomicBoolean();
        try (ServerProcess server = ServerProcess.start(data, log)) {
            List<Thread> publishers = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int publisher = p;
                Thread t = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String body = publisher + "-" + i;
                        try {
                            HttpResponse<String> r = server.http.publishJson(
                                    "{\"topic\":\"crash/" + publisher + "\",\"data\":\"" + body + "\"}");
                            if (r.statusCode() == 200) {
                                acked.put(body, Http.id(r));
                            }
                        } catch (Exception e) {
                            return; // the server is gone
                        }
                    }
                });
                t.start();
                publishers.add(t);
            }
            while (acked.size() < 800) {
                Thread.sleep(5);
            }
            server.kill();
            stop.set(true);
            for (Thread t : publishers) {
                t.join();
            }
        }
        assertThat(acked.size()).isGreaterThanOrEqualTo(800);
        String anyId = acked.values().iterator().next();
        String epoch = anyId.substring(0, anyId.indexOf('-'));

        try (ServerProcess restarted = ServerProcess.start(data, log)) {
            Map<String, String> found = new ConcurrentHashMap<>();
            try (SseClient all = restarted.http.stream("topic=crash/%2B", epoch + "-0")) {
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!found.keySet().containsAll(acked.keySet()) && System.nanoTime() < deadline) {
                    SseClient.Event e = all.events.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                    if (e != null) {
                        assertThat(e.event()).as("no truncation: nothing was trimmed").isEqualTo("message");
                        found.put(e.data(), e.id());
                    }
                }
            }
            for (Map.Entry<String, String> a : acked.entrySet()) {
                assertThat(found.get(a.getKey())).as("acknowledged %s", a.getKey()).isEqualTo(a.getValue());
            }
            HttpResponse<String> after = restarted.http.publishJson("{\"topic\":\"crash/0\",\"data\":\"after\"}");
            long maxBefore = found.values().stream().mapToLong(id -> Long.parseLong(id.substring(id.indexOf('-') + 1)))
                    .max().orElseThrow();
            String id = Http.id(after);
            assertThat(id).startsWith(epoch + "-");
            assertThat(Long.parseLong(id.substring(id.indexOf('-') + 1))).isGreaterThan(maxBefore);
        }
    }

    @Test
    void sigtermTellsStreamsToComeBackAndExitsZero() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), dir.resolve("herald.log"))) {
            String id = Http.id(server.http.publishJson("{\"topic\":\"t\",\"data\":\"kept\"}"));
            SseClient stream = server.http.stream("topic=t", null);
            PublishSubscribeIT.awaitOpen(stream);
            String retryAtOpen = stream.retry;
            assertThat(server.terminate()).isZero();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!stream.ended && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(stream.ended).as("stream closed by the server").isTrue();
            assertThat(stream.retry).as("a retry hint before the close").isNotNull();
            assertThat(retryAtOpen).isNotNull();
            try (ServerProcess again = ServerProcess.start(dir.resolve("data"), dir.resolve("herald.log"));
                    SseClient resumed = again.http.stream("topic=t&history=1", null)) {
                assertThat(resumed.next().id()).isEqualTo(id);
            }
        }
    }
}
