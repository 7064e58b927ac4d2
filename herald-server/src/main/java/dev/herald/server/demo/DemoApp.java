package dev.herald.server.demo;

import dev.herald.core.Selector;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import dev.herald.server.config.DemoSettings;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The app the demos run as: its tokens, minted by {@link DemoTokenEndpoint}, let anyone who picks a name chat on
 * {@code chat/#} and acknowledge alarms on {@code alarms/+}. Its secret is random at each start and never leaves
 * the process, so its tokens are good on this server until it restarts (a page gets a new one then).
 */
public final class DemoApp {
    /** The demo app's AppKey, the {@code iss} of its tokens. */
    public static final String KEY = "herald-demo-app";
    /** What a demo token may read. */
    public static final List<String> SUBSCRIBE = List.of("chat/#");
    /** What a demo token may publish: chat messages, and acknowledgements of the plant's alarms. */
    public static final List<String> PUBLISH = List.of("chat/#", "alarms/+");

    private DemoApp() {
    }

    /** A new demo app with a fresh random secret. */
    public static App create() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new App("demo", KEY, Base64.getUrlEncoder().withoutPadding().encodeToString(secret),
                new Permissions(selectors(PUBLISH), selectors(SUBSCRIBE)), List.of(), 0, List.of());
    }

    /**
     * {@code access} with what the demos need: the demo app while the chat's backend runs, and the plant's topics
     * readable without credentials while the plant runs.
     */
    public static Access extend(Access access, DemoSettings demo, App app) {
        List<App> apps = new ArrayList<>(access.apps());
        if (demo.chat()) {
            apps.add(app);
        }
        Permissions open = access.publicTopics();
        if (demo.plant()) {
            List<Selector> read = new ArrayList<>(open.subscribe());
            for (String topic : Plant.PUBLIC_TOPICS) {
                if (!read.contains(Selector.of(topic))) {
                    read.add(Selector.of(topic));
                }
            }
            open = new Permissions(open.publish(), read);
        }
        return new Access(open, access.origins(), apps);
    }

    private static List<Selector> selectors(List<String> patterns) {
        return patterns.stream().map(Selector::of).toList();
    }
}
