package dev.herald.server.auth;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may do what: the topics anyone may use without credentials, the browser origins allowed everywhere, and
 * the configured apps.
 *
 * @param publicTopics what a request without credentials may publish and read
 * @param origins browser origins allowed for every app and for public topics (CORS); each app adds its own
 * @param apps the configured apps, with unique names and keys
 */
public record Access(Permissions publicTopics, List<String> origins, List<App> apps) {
    public Access {
        origins = List.copyOf(origins);
        apps = List.copyOf(apps);
        Map<String, App> byKey = new HashMap<>();
        Map<String, App> byName = new HashMap<>();
        for (App app : apps) {
            if (byKey.put(app.key(), app) != null) {
                throw new IllegalArgumentException("access.apps: key '" + app.key() + "' is used twice");
            }
            if (byName.put(app.name(), app) != null) {
                throw new IllegalArgumentException("access.apps: name '" + app.name() + "' is used twice");
            }
        }
    }

    public Optional<App> app(String key) {
        for (App app : apps) {
            if (app.key().equals(key)) {
                return Optional.of(app);
            }
        }
        return Optional.empty();
    }

    /** Every origin some request may come from: the global list and each app's. */
    public List<String> allOrigins() {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(origins);
        apps.forEach(a -> all.addAll(a.origins()));
        return List.copyOf(all);
    }
}
