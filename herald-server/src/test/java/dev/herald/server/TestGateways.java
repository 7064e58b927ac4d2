package dev.herald.server;

import dev.herald.core.Selector;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.sign.ReplayGuard;
import dev.herald.server.auth.sign.SignatureVerifier;
import dev.herald.server.auth.token.TokenVerifier;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/** Authenticators for tests that are about something else. */
public final class TestGateways {
    private TestGateways() {
    }

    /** Every topic public, no app. */
    public static Authenticator open() {
        return of(new Access(new Permissions(List.of(Selector.of("#")), List.of(Selector.of("#"))), List.of(),
                List.of()));
    }

    /** Anonymous requests may read only {@code readable}; {@code apps} may do what their permissions say. */
    public static Authenticator publicRead(List<String> readable, App... apps) {
        List<Selector> selectors = readable.stream().map(Selector::of).toList();
        return of(new Access(new Permissions(List.of(), selectors), List.of(), Arrays.asList(apps)));
    }

    private static Authenticator of(Access access) {
        return new Authenticator(access, new SignatureVerifier(access::app, Clock.systemUTC(), new ReplayGuard()),
                new TokenVerifier(access::app, Clock.systemUTC()));
    }
}
