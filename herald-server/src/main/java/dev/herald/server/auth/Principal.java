package dev.herald.server.auth;

import static java.util.Objects.requireNonNull;

import dev.herald.server.auth.token.UserPatterns;
import java.time.Instant;
import java.util.Optional;

/**
 * Who a request was authenticated as, and what it may do.
 *
 * @param app the app that signed the request or minted its token; empty for an anonymous request
 * @param user the user a token names; empty for an app's own signed requests and anonymous ones
 * @param permissions what this principal may publish and read, already narrowed to what its app may
 * @param expires when the credential stops being valid (a token's {@code exp}); empty if it does not
 */
public record Principal(Optional<App> app, Optional<String> user, Permissions permissions,
        Optional<Instant> expires) {
    public Principal {
        requireNonNull(app, "app");
        requireNonNull(user, "user");
        requireNonNull(permissions, "permissions");
        requireNonNull(expires, "expires");
    }

    /** A request with no credentials: it may use the topics configured public. */
    public static Principal anonymous(Permissions publicTopics) {
        return new Principal(Optional.empty(), Optional.empty(), publicTopics, Optional.empty());
    }

    /**
     * An app's own request, signed with its secret: everything the app may do, for every user (a
     * {@code {sub}} segment of its patterns stands for any one segment).
     */
    public static Principal of(App app) {
        return new Principal(Optional.of(app), Optional.empty(), UserPatterns.forAnyUser(app.permissions()),
                Optional.empty());
    }
}
