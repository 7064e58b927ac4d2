package dev.herald.server.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Selector;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.sign.Signer;
import dev.herald.server.auth.token.TokenMinter;
import dev.herald.server.config.HeraldConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One contract, four transports: SSE, long polling, plain polling and WebSocket deliver the same messages in
 * the same order, resume from the same cursor, say the same thing when history is gone, and refuse the same
 * things the same way. Run against one node ({@link TransportContractIT}) and against two nodes behind nginx
 * ({@link ClusterContractIT}): a subclass says where subscribers connect and how messages are published.
 *
 * <p>What the server under test must hold: {@link #APP}, the public topics {@code pub/#} (subscribe only),
 * {@code pub/short/#} keeping 5 messages, and request rates that the tests stay below.
 */
abstract class TransportContract {
    static final String ALLOWED = "http://allowed.example";
    static final App APP = new App("contract", "HKCONTRACTAPPKEY0001", "contract-secret-0123456789-abcdefghijk",
            new Permissions(List.of(Selector.of("#")), List.of(Selector.of("pub/#"), Selector.of("user/{sub}/#"))),
            List.of(ALLOWED), 0, List.of());
    /** {@link #APP}, the public topics and the retention rule, as a node's config file says them. */
    static final String CONFIG_YAML = """
            retention:
              topics:
                - {pattern: "pub/short/#", count: 5, age: 1h}
            access:
              public: {publish: [], subscribe: ["pub/#"]}
              apps:
                - name: contract
                  key: HKCONTRACTAPPKEY0001
                  secret: "contract-secret-0123456789-abcdefghijk"
                  publish: ["#"]
                  subscribe: ["pub/#", "user/{sub}/#"]
                  origins: ["http://allowed.example"]
            """;

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<Transport.Feed> feeds = new ArrayList<>();
    private static int topicCounter;

    /** Where subscribers connect: {@code http://host:port}. */
    abstract String base();

    /** Publishes one message as {@link #APP}, as a publisher of this deployment does; returns its id. */
    abstract String publish(String topic, String data) throws Exception;

    /** A configuration holding what {@link TransportContract} needs, for a server in this JVM. */
    static HeraldConfig.Builder config() {
        return HeraldConfig.builder().port(0).host("127.0.0.1").memoryStore().clockDemo(false)
                .requestsPerSecondPerIp(1_000_000).newConnectionsPerSecondPerIp(1_000_000)
                .retentionRules(List.of(new RetentionPolicy.Rule(Selector.of("pub/short/#"),
                        new Retention(5, Duration.ofHours(1)))))
                .access(new Access(new Permissions(List.of(), List.of(Selector.of("pub/#"))), List.of(),
                        List.of(APP)));
    }

    @AfterEach
    void closeFeeds() {
        feeds.forEach(Transport.Feed::close);
    }

    static Stream<Arguments> transports() {
        return Transports.all().stream().map(t -> Arguments.of(Named.of(t.name(), t)));
    }

    private Transport.Feed open(Transport t, List<String> topics, Optional<String> cursor, Optional<String> token,
            Optional<String> origin) throws Exception {
        Transport.Feed feed = t.open(HTTP, base(), topics, cursor, token, origin);
        feeds.add(feed);
        return feed;
    }

    private Transport.Feed open(Transport t, String topic, Optional<String> cursor) throws Exception {
        Transport.Feed feed = open(t, List.of(topic), cursor, Optional.empty(), Optional.empty());
        assertThat(feed.status()).as(feed.problemType()).isIn(200, 101);
        awaitStarted(feed);
        return feed;
    }

    /** Waits until the feed knows where it starts, so that what is published next is live for it. */
    private static void awaitStarted(Transport.Feed feed) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (feed.cursor().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(feed.cursor()).as("start position").isNotEmpty();
    }

    /** Publishes as the app, signed, to the server at {@code base}; returns the message's id. */
    static String signedPublish(String base, String topic, String data) throws Exception {
        // A unique key makes every body differ: two identical signed POSTs in one second would be a replay.
        String body = Transports.JSON.createObjectNode().put("topic", topic).put("data", data)
                .put("id", java.util.UUID.randomUUID().toString()).toString();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Signer.Signed signed = new Signer(APP.key(), APP.secret()).sign("POST", base + "/api/v1/publish",
                Map.of("Content-Type", "application/json"), bytes, Instant.now());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/v1/publish"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        signed.headers().forEach(request::header);
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Transports.JSON.readTree(r.body()).path("id").asText();
    }

    private static synchronized String fresh(String prefix) {
        return prefix + "/t" + (++topicCounter);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void deliversInOrderWithWildcards(Transport t) throws Exception {
        String room = fresh("pub/rooms");
        Transport.Feed feed = open(t, room + "/+", Optional.empty());
        String a = publish(room + "/a", "1");
        String b = publish(room + "/b", "2");
        publish(room + "/a/deep", "not for +");
        publish(fresh("pub/elsewhere"), "not for this feed");
        String c = publish(room + "/a", "3\nwith a second line");
        assertThat(List.of(feed.next(), feed.next(), feed.next())).containsExactly(
                Received.message(a, "message", "1"), Received.message(b, "message", "2"),
                Received.message(c, "message", "3\nwith a second line"));
        assertThat(feed.within(300)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void resumesWithoutLossOrDuplicateWhilePublishersRun(Transport t) throws Exception {
        String topic = fresh("pub/load");
        int total = 400;
        Transport.Feed feed = open(t, topic, Optional.empty());
        AtomicBoolean failed = new AtomicBoolean();
        Thread publisher = new Thread(() -> {
            try {
                for (int i = 1; i <= total; i++) {
                    publish(topic, Integer.toString(i));
                }
            } catch (Exception e) {
                failed.set(true);
            }
        });
        publisher.start();
        List<Integer> got = new ArrayList<>();
        String cursor = feed.cursor();
        for (int round = 0; round < 4; round++) {
            int take = round < 3 ? 100 : total - got.size();
            for (int i = 0; i < take; i++) {
                Received r = feed.next();
                assertThat(r.isMessage()).isTrue();
                got.add(Integer.parseInt(r.data()));
                cursor = r.id(); // a client resumes after the last message it processed
            }
            feed.close();
            if (round < 3) {
                feed = open(t, topic, Optional.of(cursor));
            }
        }
        publisher.join();
        assertThat(failed).isFalse();
        assertThat(got).isEqualTo(java.util.stream.IntStream.rangeClosed(1, total).boxed().toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void saysSoWhenHistoryNoLongerReachesTheCursor(Transport t) throws Exception {
        String topic = fresh("pub/short");
        String first = publish(topic, "1");
        for (int i = 2; i <= 20; i++) {
            publish(topic, Integer.toString(i));
        }
        Transport.Feed feed = open(t, List.of(topic), Optional.of(first), Optional.empty(), Optional.empty());
        assertThat(feed.next()).isEqualTo(Received.truncated(first));
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rest.add(feed.next().data());
        }
        assertThat(rest).containsExactly("16", "17", "18", "19", "20");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void resumesFromACursorOfAnotherTransport(Transport t) throws Exception {
        String topic = fresh("pub/switch");
        String first = publish(topic, "seen elsewhere");
        publish(topic, "missed");
        // The SSE id of the first message, resumed on this transport, and this transport's cursor on SSE.
        Transport.Feed here = open(t, List.of(topic), Optional.of(first), Optional.empty(), Optional.empty());
        Received missed = here.next();
        assertThat(missed.data()).isEqualTo("missed");
        String third = publish(topic, "third");
        assertThat(here.next().id()).isEqualTo(third);
        here.close();
        Transport.Feed sse = open(new Transports.Sse(), List.of(topic), Optional.of(missed.id()), Optional.empty(),
                Optional.empty());
        assertThat(sse.next().data()).isEqualTo("third");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void deliversOnlyWhatThePrincipalMayRead(Transport t) throws Exception {
        String alice = new TokenMinter().mint(APP, "alice", List.of("#"), List.of(), Duration.ofMinutes(5));
        Transport.Feed feed = open(t, List.of("user/#"), Optional.empty(), Optional.of(alice), Optional.empty());
        assertThat(feed.status()).isIn(200, 101);
        awaitStarted(feed);
        publish("user/bob/inbox", "for bob");
        String mine = publish("user/alice/inbox", "for alice");
        assertThat(feed.next()).isEqualTo(Received.message(mine, "message", "for alice"));
        assertThat(feed.within(300)).isEmpty();

        assertRefused(open(t, List.of("user/bob/#"), Optional.empty(), Optional.of(alice), Optional.empty()), 403,
                "forbidden");
        assertRefused(open(t, List.of("user/alice/#"), Optional.empty(), Optional.empty(), Optional.empty()), 401,
                "credentials-required");
        assertRefused(open(t, List.of("pub/x"), Optional.empty(), Optional.of(alice + "x"), Optional.empty()), 401,
                "signature-mismatch");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void answersAllowedOriginsAndRefusesOthers(Transport t) throws Exception {
        String token = new TokenMinter().mint(APP, "alice", List.of("pub/#"), List.of(), Duration.ofMinutes(5));
        Transport.Feed allowed = open(t, List.of(fresh("pub/cors")), Optional.empty(), Optional.of(token),
                Optional.of(ALLOWED));
        assertThat(allowed.status()).isIn(200, 101);
        assertThat(allowed.allowOrigin()).contains(ALLOWED);
        assertRefused(open(t, List.of(fresh("pub/cors")), Optional.empty(), Optional.of(token),
                Optional.of("http://evil.example")), 403, "origin-not-allowed");
    }

    /** A refusal, at once (HTTP) or as the first frame (WebSocket), alike on every transport. */
    private static void assertRefused(Transport.Feed feed, int status, String type) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (feed.status() != status && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(feed.status()).isEqualTo(status);
        assertThat(feed.problemType()).isEqualTo(type);
    }
}
