package dev.herald.server.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The four transports, each driven as a client of that kind drives it. */
final class Transports {
    static final ObjectMapper JSON = new ObjectMapper();

    private Transports() {
    }

    static List<Transport> all() {
        return List.of(new Sse(), new Poll("long-poll", 25), new Poll("plain-poll", 0), new Ws());
    }

    private static String query(List<String> topics, Optional<String> token) {
        StringBuilder q = new StringBuilder();
        for (String t : topics) {
            q.append(q.length() == 0 ? "" : "&").append("topic=").append(URLEncoder.encode(t, StandardCharsets.UTF_8));
        }
        token.ifPresent(t -> q.append("&access_token=").append(t));
        return q.toString();
    }

    private static String problemType(String body) {
        try {
            String type = JSON.readTree(body).path("type").asText("");
            return type.substring(type.lastIndexOf(':') + 1);
        } catch (Exception e) {
            return "";
        }
    }

    /** The common part: a queue filled by a reader thread. */
    abstract static class Queue implements Transport.Feed {
        final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        volatile String cursor = "";
        volatile int status;
        volatile String problem = "";
        volatile Optional<String> allowOrigin = Optional.empty();
        volatile boolean closed;

        @Override
        public int status() {
            return status;
        }

        @Override
        public String problemType() {
            return problem;
        }

        @Override
        public Optional<String> allowOrigin() {
            return allowOrigin;
        }

        @Override
        public Received next() throws InterruptedException {
            Received r = received.poll(15, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("nothing received within 15 s");
            }
            return r;
        }

        @Override
        public List<Received> within(long millis) throws InterruptedException {
            List<Received> got = new ArrayList<>();
            long deadline = System.nanoTime() + millis * 1_000_000;
            Received r;
            while ((r = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
                got.add(r);
            }
            return got;
        }

        @Override
        public String cursor() {
            return cursor;
        }
    }

    static final class Sse implements Transport {
        @Override
        public String name() {
            return "sse";
        }

        @Override
        public Feed open(HttpClient http, String base, List<String> topics, Optional<String> cursor,
                Optional<String> token, Optional<String> origin) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/v1/stream?"
                    + query(topics, token))).header("Accept", "text/event-stream");
            cursor.ifPresent(c -> request.header("Last-Event-ID", c));
            origin.ifPresent(o -> request.header("Origin", o));
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            Queue feed = new Queue() {
                @Override
                public void close() {
                    closed = true;
                    try {
                        response.body().close();
                    } catch (Exception e) {
                        // closing
                    }
                }
            };
            feed.status = response.statusCode();
            feed.allowOrigin = response.headers().firstValue("access-control-allow-origin");
            if (feed.status != 200) {
                feed.problem = problemType(new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
                return feed;
            }
            feed.cursor = cursor.orElse("");
            Thread reader = new Thread(() -> read(response.body(), feed), "sse-feed");
            reader.setDaemon(true);
            reader.start();
            return feed;
        }

        private static void read(InputStream body, Queue feed) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String id = feed.cursor;
                String event = "";
                StringBuilder data = new StringBuilder();
                boolean hasData = false;
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (hasData) {
                            String d = data.substring(0, data.length() - 1);
                            if (event.equals("herald.truncated")) {
                                feed.received.add(Received.truncated(JSON.readTree(d).path("cursor").asText()));
                            } else if (!event.startsWith("herald.")) {
                                feed.cursor = id;
                                feed.received.add(Received.message(id, event.isEmpty() ? "message" : event, d));
                            }
                        } else {
                            feed.cursor = id;
                        }
                        data.setLength(0);
                        event = "";
                        hasData = false;
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(line.startsWith("data: ") ? 6 : 5)).append('\n');
                        hasData = true;
                    } else if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    }
                }
            } catch (Exception e) {
                // closed
            }
        }
    }

    static final class Poll implements Transport {
        private final String name;
        private final int timeout;

        Poll(String name, int timeout) {
            this.name = name;
            this.timeout = timeout;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Feed open(HttpClient http, String base, List<String> topics, Optional<String> cursor,
                Optional<String> token, Optional<String> origin) throws Exception {
            Queue feed = new Queue() {
                @Override
                public void close() {
                    closed = true;
                }
            };
            feed.cursor = cursor.orElse("");
            // A first, plain poll is made here, so that a refusal and the start position are known when open
            // returns; long polling goes on from there.
            HttpResponse<String> first = poll(http, base, topics, feed.cursor, token, origin, 0);
            feed.status = first.statusCode();
            feed.allowOrigin = first.headers().firstValue("access-control-allow-origin");
            if (feed.status != 200) {
                feed.problem = problemType(first.body());
                return feed;
            }
            take(first.body(), feed);
            Thread loop = new Thread(() -> {
                try {
                    while (!feed.closed) {
                        if (timeout == 0) {
                            Thread.sleep(100);
                        }
                        HttpResponse<String> r = poll(http, base, topics, feed.cursor, token, origin, timeout);
                        if (feed.closed || r.statusCode() != 200) {
                            return;
                        }
                        take(r.body(), feed);
                    }
                } catch (Exception e) {
                    // closed
                }
            }, name + "-feed");
            loop.setDaemon(true);
            loop.start();
            return feed;
        }

        private static HttpResponse<String> poll(HttpClient http, String base, List<String> topics, String cursor,
                Optional<String> token, Optional<String> origin, int timeout) throws Exception {
            String uri = base + "/api/v1/poll?" + query(topics, token) + "&timeout=" + timeout
                    + (cursor.isEmpty() ? "" : "&cursor=" + cursor);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(60));
            origin.ifPresent(o -> request.header("Origin", o));
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        private static void take(String body, Queue feed) throws Exception {
            JsonNode answer = JSON.readTree(body);
            if (answer.has("truncated")) {
                feed.received.add(Received.truncated(answer.path("truncated").path("cursor").asText()));
            }
            // The cursor moves before the messages are handed over: a test that closes after the last one it
            // wanted must resume after it.
            List<Received> batch = new ArrayList<>();
            for (JsonNode m : answer.path("messages")) {
                batch.add(Received.message(m.path("id").asText(), m.path("event").asText(), m.path("data").asText()));
            }
            feed.cursor = answer.path("cursor").asText();
            feed.received.addAll(batch);
        }
    }

    static final class Ws implements Transport {
        @Override
        public String name() {
            return "websocket";
        }

        @Override
        public Feed open(HttpClient http, String base, List<String> topics, Optional<String> cursor,
                Optional<String> token, Optional<String> origin) throws Exception {
            WsFeed feed = new WsFeed();
            feed.cursor = cursor.orElse("");
            String uri = base.replaceFirst("^http", "ws") + "/api/v1/ws"
                    + token.map(t -> "?access_token=" + t).orElse("");
            WebSocket.Builder builder = http.newWebSocketBuilder();
            origin.ifPresent(o -> builder.header("Origin", o));
            WebSocket socket;
            try {
                socket = builder.buildAsync(URI.create(uri), new WebSocket.Listener() {
                    final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            frame(text.toString(), feed);
                            text.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof WebSocketHandshakeException refused) {
                    feed.status = refused.getResponse().statusCode();
                    Object body = refused.getResponse().body();
                    feed.problem = body == null ? "" : problemType(body.toString());
                    return feed;
                }
                throw e;
            }
            feed.status = 101;
            feed.allowOrigin = origin;
            var subscribe = JSON.createObjectNode().put("type", "subscribe").put("id", "s1");
            var list = subscribe.putArray("topics");
            topics.forEach(list::add);
            cursor.ifPresent(c -> subscribe.put("cursor", c));
            feed.socket = socket;
            socket.sendText(subscribe.toString(), true).get(10, TimeUnit.SECONDS);
            return feed;
        }

        private static final class WsFeed extends Queue {
            volatile WebSocket socket;

            @Override
            public void close() {
                closed = true;
                if (socket != null) {
                    socket.abort();
                }
            }
        }

        private static void frame(String text, Queue feed) {
            try {
                JsonNode frame = JSON.readTree(text);
                switch (frame.path("type").asText()) {
                    case "subscribed" -> feed.cursor = frame.path("cursor").asText();
                    case "message" -> {
                        JsonNode m = frame.path("message");
                        feed.cursor = m.path("id").asText();
                        feed.received.add(Received.message(m.path("id").asText(), m.path("event").asText(),
                                m.path("data").asText()));
                    }
                    case "truncated" -> feed.received.add(Received.truncated(frame.path("cursor").asText()));
                    case "error" -> {
                        feed.problem = problemType(frame.path("problem").toString());
                        feed.status = frame.path("problem").path("status").asInt();
                    }
                    default -> { }
                }
            } catch (Exception e) {
                throw new IllegalStateException("bad frame: " + text, e);
            }
        }
    }
}
