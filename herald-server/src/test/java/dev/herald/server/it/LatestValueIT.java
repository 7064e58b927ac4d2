package dev.herald.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Draft;
import dev.herald.core.Topic;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Latest-value topics over a real socket, with a reader that stops reading (a tiny receive buffer and no reads)
 * while the meters publish far more than the socket and the server's outbound budget hold, then reads again:
 * it gets what was already on its way, then the newest reading of each meter, not the backlog; and every alarm,
 * since alarm topics are not latest-value.
 */
class LatestValueIT {
    private static final int METERS = 8;
    private static final int ROUNDS = 3000;
    private static final int ALARM_EVERY = 300;
    /** Readings this big fill the socket's and the channel's buffers (some MiB) within the first rounds. */
    private static final String PADDING = "x".repeat(2048);

    private final HeraldServer server = HeraldServer.start(HeraldConfig.builder().port(0).host("127.0.0.1")
            .memoryStore().clockDemo(false).plantDemo(false).chatDemo(false).everythingPublic().build());

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aReaderThatFallsBehindGetsTheNewestReadingOfEachMeterAndEveryAlarm() throws Exception {
        assertThat(server.config().topics().latestValue()).extracting(Object::toString).containsExactly("meters/#");
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096); // before connecting: the window it offers stays small
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/stream?topic=meters/%23&topic=alarms/%23 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ChunkedSse in = new ChunkedSse(socket.getInputStream());
            assertThat(in.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            in.awaitStart();
            Thread.sleep(200); // subscribed and live

            // The reader reads nothing meanwhile.
            List<String> alarms = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                List<Draft> drafts = new ArrayList<>(METERS + 1);
                for (int m = 1; m <= METERS; m++) {
                    drafts.add(new Draft(Topic.of("meters/m-" + m + "/reading"), "reading",
                            "{\"meter\":\"m-" + m + "\",\"round\":" + round + ",\"pad\":\"" + PADDING + "\"}", ""));
                }
                if (round % ALARM_EVERY == 0) {
                    String alarm = "{\"meter\":\"m-1\",\"round\":" + round + "}";
                    drafts.add(new Draft(Topic.of("alarms/m-1"), "alarm", alarm, ""));
                    alarms.add(alarm);
                }
                server.hub().publish(drafts).join();
            }
            Thread.sleep(300);

            // Now it reads, until it has the last round of every meter.
            Map<String, Integer> newest = new HashMap<>();
            List<String> alarmsSeen = new ArrayList<>();
            long readings = 0;
            long lastOffset = 0;
            while (newest.size() < METERS || newest.values().stream().anyMatch(r -> r < ROUNDS)
                    || alarmsSeen.size() < alarms.size()) {
                Map<String, String> event = in.next();
                long offset = Long.parseLong(event.get("id").substring(event.get("id").lastIndexOf('-') + 1));
                assertThat(offset).as("ids in order, once").isGreaterThan(lastOffset);
                lastOffset = offset;
                String data = event.get("data");
                if (event.get("event").equals("alarm")) {
                    alarmsSeen.add(data);
                } else {
                    readings++;
                    String meter = data.substring(10, data.indexOf('"', 10));
                    int round = Integer.parseInt(
                            data.substring(data.indexOf("\"round\":") + 8, data.indexOf(",\"pad")));
                    newest.merge(meter, round, Math::max);
                }
            }
            assertThat(alarmsSeen).as("every alarm, in order").containsExactlyElementsOf(alarms);
            assertThat(newest).hasSize(METERS).allSatisfy((meter, round) -> assertThat(round).isEqualTo(ROUNDS));
            // What was on its way when the buffers filled (a few MiB), and then one reading per meter at most
            // per page read after an alarm: a small part of the backlog.
            assertThat(readings).as("readings received of %s", METERS * ROUNDS).isLessThan(METERS * ROUNDS / 4);
        }
    }

    /** Reads a chunked event stream from a raw socket: chunk framing off, then SSE events. */
    private static final class ChunkedSse {
        private final InputStream in;
        private final StringBuilder text = new StringBuilder();

        ChunkedSse(InputStream in) {
            this.in = in;
        }

        String statusLine() throws IOException {
            String status = line();
            while (!line().isEmpty()) {
                // headers
            }
            return status;
        }

        /** Waits for the id-only block that carries the start position. */
        void awaitStart() throws IOException {
            while (!next(true).containsKey("id")) {
                // the preamble: retry and a comment
            }
        }

        Map<String, String> next() throws IOException {
            return next(false);
        }

        private Map<String, String> next(boolean idOnly) throws IOException {
            while (true) {
                int end = text.indexOf("\n\n");
                if (end >= 0) {
                    String block = text.substring(0, end);
                    text.delete(0, end + 2);
                    Map<String, String> fields = new LinkedHashMap<>();
                    for (String field : block.split("\n")) {
                        int colon = field.indexOf(':');
                        if (colon > 0) {
                            fields.merge(field.substring(0, colon), field.substring(colon + 1).strip(),
                                    (a, b) -> a + "\n" + b);
                        }
                    }
                    if (fields.containsKey("data") || idOnly && fields.containsKey("id")) {
                        fields.putIfAbsent("event", "message");
                        return fields;
                    }
                    continue;
                }
                int size = Integer.parseInt(line().trim(), 16);
                if (size == 0) {
                    throw new IOException("the stream ended");
                }
                text.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
                line(); // the CRLF after the chunk
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("the stream ended");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }
    }
}
