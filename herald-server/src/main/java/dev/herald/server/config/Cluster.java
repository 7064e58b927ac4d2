package dev.herald.server.config;

import static java.util.Objects.requireNonNull;

import dev.herald.redis.RedisLogOptions;

/**
 * Where the nodes of a cluster share their log ({@code cluster} in the configuration): a Redis URI, or
 * {@link #NONE} for a node on its own. {@link #toString()} never shows a password.
 *
 * @param uri {@code redis://[:password@]host[:port][/db]}, {@code rediss://...} (TLS) or
 *     {@code redis-sentinel://[:password@]host[:port][,host2[:port2]][/db]#master}; empty for none
 */
public record Cluster(String uri) {
    /** No cluster: the log is the embedded store ({@code store.*}). */
    public static final Cluster NONE = new Cluster("");

    /** @throws IllegalArgumentException naming the key and the forms expected, never the password */
    public Cluster {
        requireNonNull(uri, "uri");
        uri = uri.strip();
        if (!uri.isEmpty()) {
            try {
                RedisLogOptions.of(uri);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cluster: " + e.getMessage().replaceFirst("^uri: ", ""), e);
            }
        }
    }

    /** Whether this node shares its log with others. */
    public boolean isEnabled() {
        return !uri.isEmpty();
    }

    /** The server without credentials, for logs; empty for none. */
    public String server() {
        return isEnabled() ? RedisLogOptions.of(uri).server() : "";
    }

    @Override
    public String toString() {
        return isEnabled() ? "Cluster{" + server() + "}" : "Cluster{none}";
    }
}
