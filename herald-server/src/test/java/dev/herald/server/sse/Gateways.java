package dev.herald.server.sse;

import dev.herald.core.Selector;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.sign.ReplayGuard;
import dev.herald.server.auth.sign.SignatureVerifier;
import dev.herald.server.auth.token.TokenVerifier;
import java.time.Clock;
import java.util.List;

/** Authenticators for tests that are about something else. */
final class Gateways {
    private Gateways() {
    }

    /** Every topic public, no app. */
    static Authenticator open() {
        Access access = new Access(new Permissions(List.of(Selector.of("#")), List.of(Selector.of("#"))), List.of(),
                List.of());
        return new Authenticator(access, new SignatureVerifier(access::app, Clock.systemUTC(), new ReplayGuard()),
                new TokenVerifier(access::app, Clock.systemUTC()));
    }
}
