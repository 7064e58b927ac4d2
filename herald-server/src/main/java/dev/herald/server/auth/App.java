package dev.herald.server.auth;

import static java.util.Objects.requireNonNull;

import java.security.PublicKey;
import java.util.List;

/**
 * An application that uses Herald: its identity (AppKey) and signing secret (AppSecret), what it may publish
 * and subscribe to, the browser origins its pages are served from, its own rate, and any public keys its
 * backend signs tokens with (RS256, ES256) besides the secret (HS256).
 *
 * <p>{@link #toString()} never shows the secret.
 */
public record App(String name, String key, String secret, Permissions permissions, List<String> origins,
        int publishPerSecond, List<PublicKey> tokenKeys) {
    public App {
        requireNonNull(name, "name");
        requireNonNull(key, "key");
        requireNonNull(secret, "secret");
        requireNonNull(permissions, "permissions");
        origins = List.copyOf(origins);
        tokenKeys = List.copyOf(tokenKeys);
    }

    @Override
    public String toString() {
        return "App{" + name + ", key=" + key + "}";
    }
}
