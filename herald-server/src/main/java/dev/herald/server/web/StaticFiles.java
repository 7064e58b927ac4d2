package dev.herald.server.web;

import dev.herald.server.http.Endpoint;
import dev.herald.server.http.Problem;
import dev.herald.server.http.Responses;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the web pages and the JS client from the classpath folder {@code web/}, read once and kept.
 * {@code /} is {@code index.html}; {@code /chat} would be {@code chat.html}.
 */
public final class StaticFiles implements Endpoint {
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "ts", "text/plain; charset=utf-8");

    private record File(String type, byte[] bytes) {
    }

    private final Map<String, Optional<File>> cache = new ConcurrentHashMap<>();

    @Override
    public void handle(io.netty.channel.ChannelHandlerContext ctx, io.netty.handler.codec.http.FullHttpRequest request,
            io.netty.handler.codec.http.QueryStringDecoder uri) {
        String path = uri.path();
        Optional<File> file = path.contains("..") || path.contains("//") || path.contains("\\")
                ? Optional.empty() : cache.computeIfAbsent(path, StaticFiles::load);
        if (file.isEmpty()) {
            throw Problem.of(HttpResponseStatus.NOT_FOUND, "not-found", "Nothing is at " + path + ".").exception();
        }
        var response = Responses.of(HttpResponseStatus.OK, file.get().type(), Unpooled.wrappedBuffer(file.get().bytes()));
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        response.headers().set("X-Content-Type-Options", "nosniff");
        Responses.send(ctx, request, response);
    }

    private static Optional<File> load(String path) {
        String name = path.equals("/") ? "index.html" : path.substring(1);
        if (!name.contains(".")) {
            name = name + ".html";
        }
        String ext = name.substring(name.lastIndexOf('.') + 1);
        String type = TYPES.get(ext);
        if (type == null) {
            return Optional.empty();
        }
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream("web/" + name)) {
            return in == null ? Optional.empty() : Optional.of(new File(type, in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
