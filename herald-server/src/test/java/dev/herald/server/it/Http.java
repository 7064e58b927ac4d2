package dev.herald.server.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Real HTTP/1.1 requests to a server on loopback. */
final class Http {
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final String base;

    Http(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    URI uri(String path) {
        return URI.create(base + path);
    }

    HttpResponse<String> post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> publishJson(String json) throws IOException, InterruptedException {
        return post("/api/v1/publish", "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    SseClient stream(String query, String lastEventId) throws IOException, InterruptedException {
        return SseClient.open(client, uri("/api/v1/stream?" + query), lastEventId);
    }

    /** The id the server gave a single published message. */
    static String id(HttpResponse<String> response) {
        String body = response.body();
        int at = body.indexOf("\"id\":\"") + 6;
        return body.substring(at, body.indexOf('"', at));
    }
}
