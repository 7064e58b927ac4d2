package dev.herald.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Clients that keep going through faults, as real ones do: a publisher that retries each message (with its
 * idempotency key) until it is acknowledged, and subscribers that reconnect with their cursor. Each runs on a
 * thread of its own, with an HTTP client of its own, until {@link #close()}.
 */
final class Traffic implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A message as a client saw it: its data and its id (the cursor after it). */
    record Seen(String data, String id) {
    }

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private void run(String name, Runnable loop) {
        Thread t = new Thread(loop, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Publishes {@code m-1}, {@code m-2}, ... to {@code topic}, one at a time, each until acknowledged. */
    final class Publisher {
        final List<Seen> acknowledged = new CopyOnWriteArrayList<>();
        /** Every answer that was not 200, as {@code <status> <problem type>}, or the exception. */
        final List<String> refusals = new CopyOnWriteArrayList<>();
        final List<HttpResponse<String>> unavailable = new CopyOnWriteArrayList<>();
        private volatile boolean publishing = true;
        private final Thread thread;

        Publisher(String base, String topic) {
            HttpClient http = client();
            run("publisher", () -> {
                for (int n = 1; publishing; n++) {
                    String data = "m-" + n;
                    String body = JSON.createObjectNode().put("topic", topic).put("data", data).put("id", data)
                            .toString();
                    // Until acknowledged, even past stop(): a message answered with an error may be stored.
                    while (!stopped) {
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base
                                    + "/api/v1/publish")).timeout(Duration.ofSeconds(10))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                acknowledged.add(new Seen(data, JSON.readTree(r.body()).path("id").asText()));
                                break;
                            }
                            refusals.add(r.statusCode() + " " + problemType(r.body()));
                            if (r.statusCode() == 503) {
                                unavailable.add(r);
                            }
                        } catch (IOException e) {
                            refusals.add(e.toString());
                        } catch (InterruptedException e) {
                            return;
                        }
                        pause(50);
                    }
                    pause(3);
                }
            });
            thread = threads.get(threads.size() - 1);
        }

        /** Stops after the message under way is acknowledged. */
        void stop() throws InterruptedException {
            publishing = false;
            thread.join(30_000);
        }
    }

    /** An event stream that reconnects with {@code Last-Event-ID} whenever it ends. */
    final class SseSubscriber {
        final List<Seen> received = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        volatile String cursor = "";

        SseSubscriber(String base, String topic) {
            HttpClient http = client();
            run("sse-subscriber", () -> {
                while (!stopped) {
                    try {
                        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/v1/stream?topic="
                                + topic)).header("Accept", "text/event-stream");
                        if (!cursor.isEmpty()) {
                            request.header("Last-Event-ID", cursor);
                        }
                        HttpResponse<InputStream> r = http.send(request.build(),
                                HttpResponse.BodyHandlers.ofInputStream());
                        if (r.statusCode() == 200) {
                            connections.incrementAndGet();
                            read(r.body());
                        } else {
                            r.body().close();
                        }
                    } catch (IOException e) {
                        // the node or the proxy went away: reconnect
                    } catch (InterruptedException e) {
                        return;
                    }
                    pause(100);
                }
            });
        }

        private void read(InputStream body) throws IOException {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String id = null;
                String data = null;
                for (String line; !stopped && (line = in.readLine()) != null; ) {
                    if (line.isEmpty()) {
                        if (id != null && data != null) {
                            received.add(new Seen(data, id));
                        }
                        if (id != null) {
                            cursor = id; // the start position too, sent before any message
                        }
                        id = null;
                        data = null;
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("data:")) {
                        data = line.substring(5).trim();
                    }
                }
            }
        }
    }

    /** A long poller: each poll goes on from the cursor of the last, whichever node answers it. */
    final class PollSubscriber {
        final List<Seen> received = new CopyOnWriteArrayList<>();
        final AtomicInteger failedPolls = new AtomicInteger();
        volatile String cursor = "";

        PollSubscriber(String base, String topic) {
            HttpClient http = client();
            run("poll-subscriber", () -> {
                while (!stopped) {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base
                                + "/api/v1/poll?topic=" + topic + "&timeout=5"
                                + (cursor.isEmpty() ? "" : "&cursor=" + cursor)))
                                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            JsonNode answer = JSON.readTree(r.body());
                            for (JsonNode m : answer.path("messages")) {
                                received.add(new Seen(m.path("data").asText(), m.path("id").asText()));
                            }
                            cursor = answer.path("cursor").asText();
                            continue;
                        }
                        failedPolls.incrementAndGet();
                    } catch (IOException e) {
                        failedPolls.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                    pause(100); // as after a 503's Retry-After, shortened: poll again with the same cursor
                }
            });
        }
    }

    static String problemType(String body) {
        try {
            String type = JSON.readTree(body).path("type").asText("");
            return type.substring(type.lastIndexOf(':') + 1);
        } catch (IOException e) {
            return "(not problem+json)";
        }
    }

    /** Waits up to {@code seconds} for {@code condition}; returns whether it came true. */
    static boolean await(long seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Override
    public void close() {
        stopped = true;
        for (Thread t : threads) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
