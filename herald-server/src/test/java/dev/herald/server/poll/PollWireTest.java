package dev.herald.server.poll;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Draft;
import dev.herald.core.Hub;
import dev.herald.core.MemoryLog;
import dev.herald.core.Message;
import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Selector;
import dev.herald.core.Topic;
import dev.herald.server.LeakDetection;
import dev.herald.server.TestGateways;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.token.TokenMinter;
import dev.herald.server.http.BodyLimit;
import dev.herald.server.http.Router;
import dev.herald.server.json.MessageJson;
import dev.herald.server.ops.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The exact bytes of poll answers, through the real pipeline, on an {@link EmbeddedChannel}. */
@ExtendWith(LeakDetection.class)
class PollWireTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final String TIME = "2023-11-14T22:13:20Z";

    private final MemoryLog log = new MemoryLog(RetentionPolicy.of(Retention.DEFAULT), () -> NOW);
    private final Hub hub = new Hub(log, Runnable::run);
    private final String e = log.epoch();
    private final Metrics metrics = new Metrics();
    private EmbeddedChannel channel = connect(hub, TestGateways.open());

    /** One HTTP response read off the channel; the body decoded from UTF-8. */
    private record Answer(String head, String body) {
        int status() {
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    private EmbeddedChannel connect(Hub hub, Authenticator authenticator) {
        Router router = Router.builder().route(HttpMethod.GET, "/api/v1/poll", new PollEndpoint(hub, authenticator,
                new MessageJson(hub.log().epoch()), metrics, 64, 1000)).build((ctx, req, uri) -> { });
        return new EmbeddedChannel(new HttpServerCodec(), new BodyLimit(1 << 20), router);
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        metrics.close();
    }

    private void send(String... queries) {
        StringBuilder requests = new StringBuilder();
        for (String query : queries) {
            requests.append("GET /api/v1/poll?").append(query).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        channel.writeInbound(Unpooled.copiedBuffer(requests, StandardCharsets.US_ASCII));
        channel.runPendingTasks();
    }

    /** Every whole response written so far. */
    private List<Answer> answers() {
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1)); // one char per byte: Content-Length counts bytes
            buf.release();
        }
        List<Answer> answers = new ArrayList<>();
        int at = 0;
        while (at < out.length()) {
            int end = out.indexOf("\r\n\r\n", at) + 4;
            String head = out.substring(at, end);
            int length = Integer.parseInt(head.replaceAll("(?s).*content-length: (\\d+)\r\n.*", "$1"));
            byte[] body = out.substring(end, end + length).getBytes(StandardCharsets.ISO_8859_1);
            answers.add(new Answer(head, new String(body, StandardCharsets.UTF_8)));
            at = end + length;
        }
        return answers;
    }

    private Answer answer() {
        List<Answer> answers = answers();
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    private Answer poll(String query) {
        send(query);
        return answer();
    }

    /** Lets what is under way (live fan-out) run, then time pass. */
    private void elapse(Duration duration) {
        channel.runPendingTasks();
        channel.advanceTimeBy(duration.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    private void publish(String topic, String event, String data) {
        hub.publish(List.of(new Draft(Topic.of(topic), event, data, ""))).join();
    }

    /** The data field of a message in an answer (a bare value could match the random epoch in an id). */
    private static String data(String value) {
        return "\"data\":\"" + value + "\"";
    }

    private int held() {
        return metrics.connections(Poll.TRANSPORT).get();
    }

    @Test
    void anAnswerIsTheSharedMessageJsonInOneObjectWithTheCursor() {
        publish("chat/room-1", Message.DEFAULT_EVENT, "say \"hi\"\nthen\tgo \\ home\r\n");
        publish("chat/room-2", "chat", "\u00e9\u4e2d\uD83D\uDE00 \u0001</script>");
        Answer a = poll("topic=chat/%2B&cursor=" + e + "-0&timeout=0");
        String body = "{\"messages\":["
                + "{\"id\":\"" + e + "-1\",\"topic\":\"chat/room-1\",\"event\":\"message\","
                + "\"data\":\"say \\\"hi\\\"\\nthen\\tgo \\\\ home\\r\\n\",\"time\":\"" + TIME + "\"},"
                + "{\"id\":\"" + e + "-2\",\"topic\":\"chat/room-2\",\"event\":\"chat\","
                + "\"data\":\"\u00e9\u4e2d\uD83D\uDE00 \\u0001</script>\",\"time\":\"" + TIME + "\"}"
                + "],\"cursor\":\"" + e + "-2\"}";
        assertThat(a.body()).isEqualTo(body);
        assertThat(a.head()).startsWith("HTTP/1.1 200 OK\r\n")
                .contains("content-type: application/json; charset=utf-8\r\n")
                .contains("cache-control: no-store\r\n")
                .contains("content-length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n")
                .doesNotContain("connection: close");
        assertThat(channel.isOpen()).isTrue();
        assertThat(held()).isZero();
        assertThat(hub.subscriptionCount()).isZero();
    }

    @Test
    void aLongPollIsHeldUntilAMessageAndTheConnectionServesTheNextPoll() {
        send("topic=t&timeout=25");
        assertThat(answers()).isEmpty();
        assertThat(held()).isEqualTo(1);
        assertThat(hub.subscriptionCount()).isEqualTo(1);

        publish("t", Message.DEFAULT_EVENT, "live");
        Answer a = answer();
        assertThat(a.body()).isEqualTo("{\"messages\":[{\"id\":\"" + e + "-1\",\"topic\":\"t\",\"event\":\"message\","
                + "\"data\":\"live\",\"time\":\"" + TIME + "\"}],\"cursor\":\"" + e + "-1\"}");
        assertThat(held()).isZero();
        assertThat(hub.subscriptionCount()).isZero();

        send("topic=t&cursor=" + e + "-1&timeout=25");
        assertThat(answers()).isEmpty();
        publish("t", Message.DEFAULT_EVENT, "next");
        assertThat(answer().body()).contains("\"data\":\"next\"").endsWith("\"cursor\":\"" + e + "-2\"}");
    }

    @Test
    void anEmptyAnswerAtTheTimeoutCarriesTheStartCursor() {
        for (int i = 0; i < 3; i++) {
            publish("elsewhere", Message.DEFAULT_EVENT, "x");
        }
        send("topic=t&timeout=5");
        elapse(Duration.ofMillis(4900));
        assertThat(answers()).isEmpty();
        elapse(Duration.ofMillis(200));
        assertThat(answer().body()).isEqualTo("{\"messages\":[],\"cursor\":\"" + e + "-3\"}");
        assertThat(held()).isZero();
        assertThat(hub.subscriptionCount()).isZero();

        publish("t", Message.DEFAULT_EVENT, "in between");
        assertThat(poll("topic=t&timeout=0&cursor=" + e + "-3").body()).contains("\"id\":\"" + e + "-4\"")
                .contains("in between");
    }

    @Test
    void aPlainPollAnswersAtOnceWithWhatHistoryHas() {
        publish("t", Message.DEFAULT_EVENT, "one");
        publish("t", Message.DEFAULT_EVENT, "two");
        // No time passes: timeout=0 answers at the end of the catch-up, and sets no timer.
        assertThat(poll("topic=t&timeout=0&history=1").body()).contains(data("two")).doesNotContain(data("one"))
                .endsWith("\"cursor\":\"" + e + "-2\"}");
        assertThat(poll("topic=t&timeout=0").body()).isEqualTo("{\"messages\":[],\"cursor\":\"" + e + "-2\"}");
        assertThat(poll("topic=t&timeout=0&cursor=" + e + "-2").body())
                .isEqualTo("{\"messages\":[],\"cursor\":\"" + e + "-2\"}");
        assertThat(held()).isZero();
    }

    @Test
    void aCursorFromAnotherStoreIsAnsweredWithTheTruncationAndWhatFollows() {
        publish("t", Message.DEFAULT_EVENT, "kept");
        String body = poll("topic=t&cursor=zzz-1&timeout=25").body();
        assertThat(body).isEqualTo("{\"messages\":[{\"id\":\"" + e + "-1\",\"topic\":\"t\",\"event\":\"message\","
                + "\"data\":\"kept\",\"time\":\"" + TIME + "\"}],\"cursor\":\"" + e + "-1\","
                + "\"truncated\":{\"cursor\":\"zzz-1\",\"detail\":\"History no longer reaches back to this cursor:"
                + " some messages after it were removed. Delivery goes on from the oldest message kept.\"}}");
    }

    @Test
    void aCursorOlderThanTheHistoryIsAnsweredWithTheTruncationAtOnceEvenWithNothingAfter() {
        MemoryLog shortLog = new MemoryLog(RetentionPolicy.of(new Retention(2, Duration.ofHours(1))), () -> NOW);
        Hub shortHub = new Hub(shortLog, Runnable::run);
        String epoch = shortLog.epoch();
        for (int i = 1; i <= 5; i++) {
            shortHub.publish(List.of(Draft.of(Topic.of("t"), "m" + i))).join();
        }
        channel.finishAndReleaseAll();
        channel = connect(shortHub, TestGateways.open());
        String body = poll("topic=t&cursor=" + epoch + "-1&timeout=0").body();
        assertThat(body).contains(data("m4"), data("m5")).doesNotContain(data("m3"))
                .endsWith("\"cursor\":\"" + epoch + "-5\",\"truncated\":{\"cursor\":\"" + epoch + "-1\","
                        + "\"detail\":\"" + PollAnswer.TRUNCATED_DETAIL + "\"}}");
        // Ahead of this log (a store restored from a backup): told at once, with the cursor to go on from.
        String ahead = poll("topic=t&cursor=" + epoch + "-99&timeout=25").body();
        assertThat(ahead).startsWith("{\"messages\":[],\"cursor\":\"" + epoch + "-5\",\"truncated\":{\"cursor\":\""
                + epoch + "-99\"");
        assertThat(held()).isZero();
    }

    @Test
    void malformedParametersAreRefusedWithProblems() {
        record Refusal(String query, String type) {
        }
        List<Refusal> refusals = List.of(
                new Refusal("topic=t&cursor=nonsense", "malformed-cursor"),
                new Refusal("topic=t&cursor=" + e + "-x", "malformed-cursor"),
                new Refusal("topic=t&timeout=56", "invalid-timeout"),
                new Refusal("topic=t&timeout=-1", "invalid-timeout"),
                new Refusal("topic=t&timeout=soon", "invalid-timeout"),
                new Refusal("topic=t&limit=0", "invalid-limit"),
                new Refusal("topic=t&limit=1001", "invalid-limit"),
                new Refusal("topic=t&limit=all", "invalid-limit"),
                new Refusal("topic=t&history=-1", "invalid-history"),
                new Refusal("timeout=0", "missing-topic"),
                new Refusal("topic=a/%23/b", "invalid-topic"));
        for (Refusal r : refusals) {
            Answer a = poll(r.query());
            assertThat(a.status()).as(r.query()).isEqualTo(400);
            assertThat(a.head()).contains("content-type: application/problem+json");
            assertThat(a.body()).as(r.query()).contains("\"type\":\"urn:herald:problem:" + r.type() + "\"");
        }
        assertThat(poll("topic=t&timeout=56").body()).contains("timeout: '56' (expected: 0 to 55");
        assertThat(poll("topic=t&limit=0").body()).contains("limit: '0' (expected: 1 to 1000");
        assertThat(channel.isOpen()).isTrue();
        assertThat(hub.subscriptionCount()).isZero();
    }

    @Test
    void anAnswerHoldsAtMostLimitMessagesAndItsCursorIsTheLastAnswered() {
        for (int i = 1; i <= 5; i++) {
            publish("t", Message.DEFAULT_EVENT, "m" + i);
        }
        assertThat(poll("topic=t&timeout=0&limit=2&cursor=" + e + "-0").body()).contains(data("m1"), data("m2"))
                .doesNotContain(data("m3")).endsWith("\"cursor\":\"" + e + "-2\"}");
        assertThat(poll("topic=t&timeout=0&limit=2&cursor=" + e + "-2").body()).contains(data("m3"), data("m4"))
                .doesNotContain(data("m5")).endsWith("\"cursor\":\"" + e + "-4\"}");
        assertThat(poll("topic=t&timeout=0&limit=2&cursor=" + e + "-4").body()).contains(data("m5"))
                .endsWith("\"cursor\":\"" + e + "-5\"}");

        // A live batch larger than the limit too.
        send("topic=t&limit=2&cursor=" + e + "-5");
        hub.publish(List.of(Draft.of(Topic.of("t"), "b1"), Draft.of(Topic.of("t"), "b2"),
                Draft.of(Topic.of("t"), "b3"))).join();
        assertThat(answer().body()).contains(data("b1"), data("b2")).doesNotContain(data("b3"))
                .endsWith("\"cursor\":\"" + e + "-7\"}");
        assertThat(poll("topic=t&timeout=0&cursor=" + e + "-7").body()).contains(data("b3"));
    }

    @Test
    void anEmptyAnswerPassesWhatThePrincipalMayNotRead() {
        channel.finishAndReleaseAll();
        channel = connect(hub, TestGateways.publicRead(List.of("pub/#")));
        send("topic=%23&timeout=1");
        publish("secret/a", Message.DEFAULT_EVENT, "no");
        publish("secret/b", Message.DEFAULT_EVENT, "no");
        elapse(Duration.ofMillis(1100));
        // Past the two messages it may not read, so that the next poll does not read them again.
        assertThat(answer().body()).isEqualTo("{\"messages\":[],\"cursor\":\"" + e + "-2\"}");
        publish("secret/c", Message.DEFAULT_EVENT, "no");
        publish("pub/x", Message.DEFAULT_EVENT, "yes");
        String body = poll("topic=%23&timeout=0&cursor=" + e + "-0").body();
        assertThat(body).contains("\"data\":\"yes\"").doesNotContain("\"no\"").endsWith("\"cursor\":\"" + e + "-4\"}");
    }

    @Test
    void aTokenPollIsNotHeldPastTheTokensExpiry() {
        App app = new App("chat", "HKCHATAPPKEY00000001", "chat-secret-0123456789-abcdefghijklmnop",
                new Permissions(List.of(Selector.of("chat/#")), List.of(Selector.of("chat/#"))), List.of(), 0,
                List.of());
        channel.finishAndReleaseAll();
        channel = connect(hub, TestGateways.publicRead(List.of(), app));
        // Issued on a whole second, valid 10 s: it expires between 9 and 10 s from now, well before the timeout.
        String token = new TokenMinter().mint(app, "alice", List.of("chat/#"), List.of(), Duration.ofSeconds(10));
        send("topic=chat/a&timeout=25&access_token=" + token);
        elapse(Duration.ofMillis(8000));
        assertThat(answers()).isEmpty();
        elapse(Duration.ofMillis(2100));
        assertThat(answer().body()).isEqualTo("{\"messages\":[],\"cursor\":\"" + e + "-0\"}");
        assertThat(hub.subscriptionCount()).isZero();
    }

    @Test
    void aClientThatGoesAwayEndsItsPoll() {
        send("topic=t&timeout=25");
        assertThat(hub.subscriptionCount()).isEqualTo(1);
        channel.close();
        channel.runPendingTasks();
        assertThat(hub.subscriptionCount()).isZero();
        assertThat(held()).isZero();
        publish("t", Message.DEFAULT_EVENT, "nobody");
        assertThat(answers()).isEmpty();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAfterTheHeldPollAnswersEarly() {
        publish("t", Message.DEFAULT_EVENT, "old");
        send("topic=t&timeout=25", "topic=t&timeout=0&history=1", "topic=t&timeout=25&cursor=" + e + "-1");
        List<Answer> early = answers();
        assertThat(early).extracting(Answer::body).containsExactly(
                "{\"messages\":[],\"cursor\":\"" + e + "-1\"}",
                "{\"messages\":[{\"id\":\"" + e + "-1\",\"topic\":\"t\",\"event\":\"message\",\"data\":\"old\","
                        + "\"time\":\"" + TIME + "\"}],\"cursor\":\"" + e + "-1\"}");
        // The third is an ordinary long poll now, and reading goes on.
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(held()).isEqualTo(1);
        publish("t", Message.DEFAULT_EVENT, "new");
        assertThat(answer().body()).contains("\"data\":\"new\"");
        assertThat(channel.pipeline().get(Poll.class)).isNull();
    }

    @Test
    void headAnswersWithoutSubscribing() {
        channel.writeInbound(Unpooled.copiedBuffer("HEAD /api/v1/poll?topic=t HTTP/1.1\r\nHost: x\r\n\r\n",
                StandardCharsets.US_ASCII));
        Answer a = answer();
        assertThat(a.head()).startsWith("HTTP/1.1 200 OK\r\n").contains("content-type: application/json")
                .contains("content-length: 0\r\n");
        assertThat(hub.subscriptionCount()).isZero();
    }

    @Test
    void aHistoryReadThatFailsIsA503ToRetryWithTheSameCursor() {
        MemoryLog behind = new MemoryLog();
        Hub failing = new Hub(behind, task -> {
            throw new RejectedExecutionException("reader shut down");
        });
        // A message after the cursor: the poll must read history (a caught-up poll reads nothing).
        failing.publish(List.of(Draft.of(Topic.of("t"), "missed"))).join();
        channel.finishAndReleaseAll();
        channel = connect(failing, TestGateways.open());
        Answer a = poll("topic=t&timeout=25&cursor=" + behind.epoch() + "-0");
        assertThat(a.status()).isEqualTo(503);
        assertThat(a.head()).contains("retry-after: 1\r\n");
        assertThat(a.body()).contains("urn:herald:problem:history-unavailable");
        assertThat(held()).isZero();
        assertThat(channel.isOpen()).isTrue();
    }
}
