package dev.herald.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.core.Selector;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import dev.herald.server.auth.token.UserPatterns;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reads the {@code access} section: public topics, origins and apps. */
final class AccessReader {
    /** The shortest AppSecret: 32 bytes, the HMAC-SHA256 key size; {@code herald apps create} makes 43 chars. */
    static final int MIN_SECRET_CHARS = 32;

    private AccessReader() {
    }

    static Access read(JsonNode access) {
        keys("access", access, Set.of("public", "origins", "apps"));
        Permissions publicTopics = HeraldConfig.DEFAULT_ACCESS.publicTopics();
        if (access.has("public")) {
            JsonNode p = access.get("public");
            keys("access.public", p, Set.of("publish", "subscribe"));
            publicTopics = new Permissions(selectors("access.public.publish", p.get("publish")),
                    selectors("access.public.subscribe", p.get("subscribe")));
        }
        List<App> apps = new ArrayList<>();
        JsonNode list = access.path("apps");
        if (!list.isMissingNode() && !list.isNull()) {
            if (!list.isArray()) {
                throw new IllegalArgumentException("access.apps: expected a list of apps");
            }
            for (int i = 0; i < list.size(); i++) {
                apps.add(app("access.apps[" + i + "]", list.get(i)));
            }
        }
        return new Access(publicTopics, strings("access.origins", access.get("origins")), apps);
    }

    private static App app(String where, JsonNode node) {
        keys(where, node, Set.of("name", "key", "secret", "publish", "subscribe", "origins", "publishPerSecond",
                "tokenKeys"));
        String name = required(where, node, "name");
        String key = required(where, node, "key");
        String secret = required(where, node, "secret");
        if (!key.matches("[A-Za-z0-9_-]{8,64}")) {
            throw new IllegalArgumentException(where + ".key: '" + key
                    + "' (expected: 8 to 64 of A-Z a-z 0-9 _ -; `herald apps create` makes one)");
        }
        if (secret.length() < MIN_SECRET_CHARS) {
            throw new IllegalArgumentException(where + ".secret: " + secret.length() + " characters (expected: at least "
                    + MIN_SECRET_CHARS + "; `herald apps create` makes one)");
        }
        int rate = node.has("publishPerSecond") ? node.get("publishPerSecond").asInt(-1) : 0;
        if (rate < 0) {
            throw new IllegalArgumentException(where + ".publishPerSecond: expected a whole number >= 1");
        }
        List<PublicKey> tokenKeys = new ArrayList<>();
        for (String pem : strings(where + ".tokenKeys", node.get("tokenKeys"))) {
            tokenKeys.add(publicKey(where + ".tokenKeys", pem));
        }
        return new App(name, key, secret, new Permissions(selectors(where + ".publish", node.get("publish")),
                selectors(where + ".subscribe", node.get("subscribe"))), strings(where + ".origins", node.get("origins")),
                rate, tokenKeys);
    }

    private static PublicKey publicKey(String where, String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": not a PEM public key (expected: -----BEGIN PUBLIC KEY-----)");
        }
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (java.security.GeneralSecurityException e) {
                // try the next kind
            }
        }
        throw new IllegalArgumentException(where + ": not an RSA or EC public key");
    }

    private static List<Selector> selectors(String where, JsonNode node) {
        List<Selector> result = new ArrayList<>();
        for (String pattern : strings(where, node)) {
            result.add(UserPatterns.template(where, pattern));
        }
        return result;
    }

    private static List<String> strings(String where, JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(where + ": expected a list");
        }
        List<String> result = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException(where + ": expected a list of strings");
            }
            result.add(item.textValue());
        }
        return result;
    }

    private static String required(String where, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            throw new IllegalArgumentException(where + "." + field + ": missing (expected: a string)");
        }
        return value.textValue();
    }

    private static void keys(String where, JsonNode node, Set<String> allowed) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": expected a mapping");
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(where + ": unknown key '" + name + "' (expected one of: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }
}
