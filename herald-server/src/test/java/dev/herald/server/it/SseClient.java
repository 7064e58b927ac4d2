package dev.herald.server.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test client that reads an event stream over a real socket and parses it as the HTML standard's
 * EventSource does: fields, comments, multi-line data, and the last event id (also from an id-only block).
 */
final class SseClient implements AutoCloseable {
    /** One dispatched event. */
    record Event(String id, String event, String data) {
    }

    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final List<String> comments = new java.util.concurrent.CopyOnWriteArrayList<>();
    final HttpResponse<InputStream> response;
    volatile String lastEventId = "";
    volatile String retry;
    volatile boolean ended;
    private final Thread reader;

    private SseClient(HttpResponse<InputStream> response, String lastEventId) {
        this.response = response;
        this.lastEventId = lastEventId == null ? "" : lastEventId;
        this.reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    static SseClient open(HttpClient http, URI uri, String lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(10));
        if (lastEventId != null && !lastEventId.isEmpty()) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        return new SseClient(response, lastEventId);
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            StringBuilder data = new StringBuilder();
            String type = "";
            String idBuffer = lastEventId;
            boolean hasData = false;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    lastEventId = idBuffer;
                    if (hasData) {
                        String d = data.toString();
                        events.add(new Event(idBuffer, type.isEmpty() ? "message" : type,
                                d.endsWith("\n") ? d.substring(0, d.length() - 1) : d));
                    }
                    data.setLength(0);
                    type = "";
                    hasData = false;
                    continue;
                }
                if (line.startsWith(":")) {
                    comments.add(line);
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "data" -> {
                        data.append(value).append('\n');
                        hasData = true;
                    }
                    case "event" -> type = value;
                    case "id" -> idBuffer = value;
                    case "retry" -> retry = value;
                    default -> { }
                }
            }
        } catch (IOException e) {
            // the stream was closed
        } finally {
            ended = true;
        }
    }

    Event next() throws InterruptedException {
        Event e = events.poll(15, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no event within 15 s");
        }
        return e;
    }

    List<Event> next(int n) throws InterruptedException {
        List<Event> got = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            got.add(next());
        }
        return got;
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // closing
        }
        reader.interrupt();
    }
}
