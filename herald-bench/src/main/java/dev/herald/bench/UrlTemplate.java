package dev.herald.bench;

import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * An absolute URL template split into what stays fixed (scheme, host, port: where to connect) and the request
 * target, which may hold placeholders. Plain http and ws only: the bench targets loopback, where TLS would measure
 * the cipher, not the server.
 *
 * @param scheme {@code http} or {@code ws}
 * @param host the host, as written
 * @param port the port (80 if none is written)
 * @param target the path and query template
 */
public record UrlTemplate(String scheme, String host, int port, Template target) {

    /** Parses {@code url}, e.g. {@code http://127.0.0.1:8080/api/v1/stream?topic={topic}}. */
    public static UrlTemplate parse(String url) {
        int colon = url.indexOf("://");
        if (colon < 0) {
            throw new IllegalArgumentException("URL " + url + " (expected: http://host:port/path or ws://…)");
        }
        String scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!List.of("http", "ws").contains(scheme)) {
            throw new IllegalArgumentException("URL " + url + " (expected: http:// or ws://; no TLS on loopback)");
        }
        int slash = url.indexOf('/', colon + 3);
        String authority = slash < 0 ? url.substring(colon + 3) : url.substring(colon + 3, slash);
        String target = slash < 0 ? "/" : url.substring(slash);
        if (authority.contains("{")) {
            throw new IllegalArgumentException("URL " + url + " (expected: no placeholder in the host or port)");
        }
        String host = authority;
        int port = 80;
        int portColon = authority.lastIndexOf(':');
        if (portColon > 0 && !authority.endsWith("]")) {
            host = authority.substring(0, portColon);
            port = Integer.parseInt(authority.substring(portColon + 1));
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new UrlTemplate(scheme, host, port, Template.of(target));
    }

    /** Where to connect. */
    public InetSocketAddress address() {
        return new InetSocketAddress(host, port);
    }

    /** The {@code Host} header. */
    public String hostHeader() {
        return (host.contains(":") ? "[" + host + "]" : host) + (port == 80 ? "" : ":" + port);
    }

    /** The request target for {@code values}, with the cursor percent-encoded (it is opaque). */
    public String render(Template.Values values) {
        return target.render(p -> p == Template.Placeholder.CURSOR
                ? URLEncoder.encode(values.get(p), StandardCharsets.UTF_8) : values.get(p));
    }
}
