package dev.herald.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Selector;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publish and subscribe over real sockets, against the embedded durable store. */
class PublishSubscribeIT {
    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    private HeraldServer start(HeraldConfig.Builder config) {
        HeraldServer server = HeraldServer.start(config.port(0).host("127.0.0.1").dataDir(dir.resolve("data"))
                .bare().everythingPublic().requestsPerSecondPerIp(100_000).build());
        open.add(server);
        return server;
    }

    private SseClient track(SseClient client) {
        open.add(client);
        return client;
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aPublishedMessageReachesEverySubscriberOfItsTopic() throws Exception {
        Http http = new Http(start(HeraldConfig.builder()).port());
        SseClient one = track(http.stream("topic=chat/room-1", null));
        SseClient wild = track(http.stream("topic=chat/+&topic=meters/%23", null));
        SseClient other = track(http.stream("topic=chat/room-2", null));
        assertThat(one.response.headers().firstValue("content-type")).contains("text/event-stream; charset=utf-8");
        assertThat(one.response.headers().firstValue("x-accel-buffering")).contains("no");
        awaitOpen(one, wild, other);

        HttpResponse<String> json = http.publishJson("{\"topic\":\"chat/room-1\",\"data\":\"hello\"}");
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.body()).contains("\"topic\":\"chat/room-1\"").contains("\"duplicate\":false");
        HttpResponse<String> form = http.post("/api/v1/publish", "application/x-www-form-urlencoded",
                "topic=meters/m-1/reading&event=reading&data=42.5+kW%0Aok".getBytes(StandardCharsets.UTF_8));
        assertThat(form.statusCode()).isEqualTo(200);

        SseClient.Event hello = one.next();
        assertThat(hello).isEqualTo(new SseClient.Event(Http.id(json), "message", "hello"));
        assertThat(wild.next(2)).containsExactly(hello,
                new SseClient.Event(Http.id(form), "reading", "42.5 kW\nok"));
        Thread.sleep(200);
        assertThat(other.events).isEmpty();
        assertThat(one.events).isEmpty();
    }

    @Test
    void aBatchIsStoredInOrderAndAnsweredWithEveryId() throws Exception {
        Http http = new Http(start(HeraldConfig.builder()).port());
        SseClient sub = track(http.stream("topic=b/%23", null));
        awaitOpen(sub);
        HttpResponse<String> batch = http.publishJson(
                "[{\"topic\":\"b/1\",\"data\":\"x\"},{\"topic\":\"b/2\",\"data\":{\"n\":1},\"event\":\"obj\"}]");
        assertThat(batch.statusCode()).isEqualTo(200);
        assertThat(batch.body()).startsWith("{\"messages\":[{\"id\":");
        List<SseClient.Event> got = sub.next(2);
        assertThat(got).extracting(SseClient.Event::data).containsExactly("x", "{\"n\":1}");
        assertThat(batch.body()).contains(got.get(0).id(), got.get(1).id());
    }

    @Test
    void anIdempotencyKeyIsStoredOnce() throws Exception {
        Http http = new Http(start(HeraldConfig.builder()).port());
        HttpResponse<String> first = http.publishJson("{\"topic\":\"t\",\"data\":\"a\",\"id\":\"order-1\"}");
        HttpResponse<String> again = http.publishJson("{\"topic\":\"t\",\"data\":\"a\",\"id\":\"order-1\"}");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("\"duplicate\":true");
        assertThat(Http.id(again)).isEqualTo(Http.id(first));
        SseClient sub = track(http.stream("topic=t&history=10", null));
        assertThat(sub.next().data()).isEqualTo("a");
        Thread.sleep(200);
        assertThat(sub.events).isEmpty();
    }

    @Test
    void aReconnectingSubscriberMissesNothingWhilePublishersRun() throws Exception {
        Http http = new Http(start(HeraldConfig.builder()).port());
        int total = 1500;
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        Thread publisher = new Thread(() -> {
            try {
                for (int i = 1; i <= total; i++) {
                    String topic = "load/" + (i % 3);
                    if (http.publishJson("{\"topic\":\"" + topic + "\",\"data\":\"" + i + "\"}").statusCode() != 200) {
                        failed.set(true);
                    }
                    sent.set(i);
                }
            } catch (Exception e) {
                failed.set(true);
            }
        });
        SseClient first = track(http.stream("topic=load/%2B", null));
        awaitOpen(first);
        publisher.start();
        List<Integer> received = new ArrayList<>();
        String cursor = first.lastEventId;
        SseClient current = first;
        // Drop the connection four times mid-stream and come back with the last id seen.
        for (int round = 0; round < 5; round++) {
            int take = round < 4 ? 200 : total - received.size();
            for (int i = 0; i < take; i++) {
                SseClient.Event e = current.next();
                received.add(Integer.parseInt(e.data()));
                cursor = e.id();
            }
            current.close();
            if (round < 4) {
                Thread.sleep(30);
                current = track(http.stream("topic=load/%2B", cursor));
            }
        }
        publisher.join();
        assertThat(failed).isFalse();
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            expected.add(i);
        }
        assertThat(received).isEqualTo(expected);
    }

    @Test
    void aCursorOlderThanTheHistoryIsToldExplicitly() throws Exception {
        HeraldServer server = start(HeraldConfig.builder().retentionRules(List.of(
                new RetentionPolicy.Rule(Selector.of("short/#"), new Retention(5, Duration.ofHours(1))))));
        Http http = new Http(server.port());
        String firstId = null;
        for (int i = 1; i <= 20; i++) {
            HttpResponse<String> r = http.publishJson("{\"topic\":\"short/t\",\"data\":\"" + i + "\"}");
            firstId = firstId == null ? Http.id(r) : firstId;
        }
        SseClient sub = track(http.stream("topic=short/t", firstId));
        SseClient.Event signal = sub.next();
        assertThat(signal.event()).isEqualTo("herald.truncated");
        assertThat(signal.data()).contains("\"cursor\":\"" + firstId + "\"").contains("no longer reaches back");
        assertThat(sub.next(5)).extracting(SseClient.Event::data).containsExactly("16", "17", "18", "19", "20");

        SseClient foreign = track(http.stream("topic=short/t", "otherepoch-3"));
        assertThat(foreign.next().event()).isEqualTo("herald.truncated");
        assertThat(foreign.next().data()).isEqualTo("16");
    }

    @Test
    void historyReplaysTheLastMessagesOnJoin() throws Exception {
        Http http = new Http(start(HeraldConfig.builder()).port());
        for (int i = 1; i <= 6; i++) {
            http.publishJson("{\"topic\":\"room\",\"data\":\"" + i + "\"}");
        }
        SseClient sub = track(http.stream("topic=room&history=3", null));
        assertThat(sub.next(3)).extracting(SseClient.Event::data).containsExactly("4", "5", "6");
        http.publishJson("{\"topic\":\"room\",\"data\":\"7\"}");
        assertThat(sub.next().data()).isEqualTo("7");
    }

    @Test
    void historySurvivesARestartAndIdsKeepIncreasing() throws Exception {
        HeraldServer first = start(HeraldConfig.builder());
        Http http = new Http(first.port());
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ids.add(Http.id(http.publishJson("{\"topic\":\"keep\",\"data\":\"" + i + "\"}")));
        }
        first.close();

        HeraldServer second = start(HeraldConfig.builder());
        Http again = new Http(second.port());
        SseClient sub = track(again.stream("topic=keep", ids.get(1)));
        assertThat(sub.next(3)).extracting(SseClient.Event::id).containsExactlyElementsOf(ids.subList(2, 5));
        String next = Http.id(again.publishJson("{\"topic\":\"keep\",\"data\":\"6\"}"));
        assertThat(sub.next().id()).isEqualTo(next);
        long last = Long.parseLong(ids.get(4).substring(ids.get(4).indexOf('-') + 1));
        assertThat(Long.parseLong(next.substring(next.indexOf('-') + 1))).isEqualTo(last + 1);
        assertThat(next.substring(0, next.indexOf('-'))).isEqualTo(ids.get(0).substring(0, ids.get(0).indexOf('-')));
    }

    @Test
    void theClassicEventSourceUrlStreamsTheClock() throws Exception {
        HeraldServer server = HeraldServer.start(HeraldConfig.builder().port(0).host("127.0.0.1").memoryStore()
                .build());
        open.add(server);
        Http http = new Http(server.port());
        for (String path : List.of("/", "/stream")) {
            SseClient clock = track(SseClient.open(http.client, http.uri(path), null));
            Set<String> ticks = new HashSet<>();
            while (ticks.size() < 2) {
                SseClient.Event tick = clock.next();
                assertThat(java.time.Instant.parse(tick.data())).isBetween(java.time.Instant.now().minusSeconds(5),
                        java.time.Instant.now().plusSeconds(1));
                ticks.add(tick.data());
            }
        }
        assertThat(http.get("/").body()).contains("<html");
        assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("herald_messages_published_total").contains("herald_connections{transport=\"sse\"}")
                .contains("herald_messages_delivered_total").contains("herald_sent_bytes_total")
                .contains("herald_store_append_seconds");
    }

    /** Waits for each stream's opening (its retry field), so that nothing is published before it subscribed. */
    static void awaitOpen(SseClient... clients) throws InterruptedException {
        for (SseClient c : clients) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (c.lastEventId.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(c.lastEventId).as("stream opened with a position").isNotEmpty();
        }
    }

    static String read(Path p) throws java.io.IOException {
        return Files.readString(p);
    }
}
