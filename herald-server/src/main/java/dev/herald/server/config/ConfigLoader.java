package dev.herald.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Selector;
import dev.herald.store.SyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Builds a {@link HeraldConfig} from a YAML file, then environment variables ({@code HERALD_SERVER_PORT} for
 * {@code server.port}: the key upper-cased, dots as underscores), then explicit overrides such as
 * command-line flags. An unknown key is an error, so a typo is never silently ignored.
 */
public final class ConfigLoader {
    private static final Map<String, BiConsumer<HeraldConfig.Builder, String>> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("server.host", HeraldConfig.Builder::host);
        KEYS.put("server.port", (b, v) -> b.port(integer("server.port", v)));
        KEYS.put("server.ioThreads", (b, v) -> b.ioThreads(integer("server.ioThreads", v)));
        KEYS.put("store.type", (b, v) -> b.store(choice("store.type", v, HeraldConfig.StoreType.class)));
        KEYS.put("store.dataDir", (b, v) -> b.dataDir(Path.of(v)));
        KEYS.put("store.sync", (b, v) -> b.sync(choice("store.sync", v, SyncPolicy.class)));
        KEYS.put("sse.heartbeat", (b, v) -> b.heartbeat(Durations.parse("sse.heartbeat", v)));
        KEYS.put("sse.retry", (b, v) -> b.retry(Durations.parse("sse.retry", v)));
        KEYS.put("limits.maxDataBytes", (b, v) -> b.maxDataBytes(integer("limits.maxDataBytes", v)));
        KEYS.put("limits.maxBodyBytes", (b, v) -> b.maxBodyBytes(integer("limits.maxBodyBytes", v)));
        KEYS.put("limits.maxBatch", (b, v) -> b.maxBatch(integer("limits.maxBatch", v)));
        KEYS.put("limits.maxTopicsPerSubscription",
                (b, v) -> b.maxTopicsPerSubscription(integer("limits.maxTopicsPerSubscription", v)));
        KEYS.put("limits.maxHistory", (b, v) -> b.maxHistory(integer("limits.maxHistory", v)));
        KEYS.put("limits.requestsPerSecondPerIp",
                (b, v) -> b.requestsPerSecondPerIp(integer("limits.requestsPerSecondPerIp", v)));
        KEYS.put("limits.connectionsPerIp", (b, v) -> b.connectionsPerIp(integer("limits.connectionsPerIp", v)));
        KEYS.put("limits.newConnectionsPerSecondPerIp",
                (b, v) -> b.newConnectionsPerSecondPerIp(integer("limits.newConnectionsPerSecondPerIp", v)));
        KEYS.put("limits.headerTimeout", (b, v) -> b.headerTimeout(Durations.parse("limits.headerTimeout", v)));
        KEYS.put("limits.publishPerSecondPerApp",
                (b, v) -> b.publishPerSecondPerApp(integer("limits.publishPerSecondPerApp", v)));
        KEYS.put("demo.clock", (b, v) -> b.clockDemo(bool("demo.clock", v)));
        KEYS.put("cluster", HeraldConfig.Builder::cluster);
        KEYS.put("topics.latestValue", (b, v) -> b.latestValue(selectors("topics.latestValue", v)));
        KEYS.put("topics.stamped", (b, v) -> b.stamped(selectors("topics.stamped", v)));
        KEYS.put("topics.presence", (b, v) -> b.presence(selectors("topics.presence", v)));
        KEYS.put("demo.chat", (b, v) -> b.chatDemo(bool("demo.chat", v)));
        KEYS.put("demo.plant", (b, v) -> b.plantDemo(bool("demo.plant", v)));
        KEYS.put("demo.meters", (b, v) -> b.meters(integer("demo.meters", v)));
        KEYS.put("admin.token", HeraldConfig.Builder::adminToken);
    }

    private static final String RETENTION_COUNT = "retention.count";
    private static final String RETENTION_AGE = "retention.age";
    private static final String RETENTION_TOPICS = "retention.topics";

    private ConfigLoader() {
    }

    /**
     * @param file the YAML file, if any
     * @param env the environment ({@code System.getenv()})
     * @param overrides keys set last, e.g. from flags
     * @throws IllegalArgumentException naming the key and what was expected
     */
    public static HeraldConfig load(Optional<Path> file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        JsonNode retentionTopics = null;
        JsonNode access = null;
        if (file.isPresent()) {
            JsonNode root = read(file.get());
            access = root.get("access");
            if (root.isObject()) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) root).remove("access");
            }
            flatten("", root, values);
            retentionTopics = root.path("retention").path("topics");
            values.remove(RETENTION_TOPICS);
        }
        for (String key : allKeys()) {
            String name = "HERALD_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                values.put(key, value);
            }
        }
        values.putAll(overrides);

        HeraldConfig.Builder builder = HeraldConfig.builder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            BiConsumer<HeraldConfig.Builder, String> setter = KEYS.get(e.getKey());
            if (setter != null) {
                setter.accept(builder, e.getValue());
            } else if (!e.getKey().equals(RETENTION_COUNT) && !e.getKey().equals(RETENTION_AGE)) {
                throw new IllegalArgumentException("config: unknown key '" + e.getKey() + "' (expected one of: "
                        + String.join(", ", allKeys()) + ")");
            }
        }
        Retention fallback = HeraldConfig.DEFAULT_RETENTION;
        int count = values.containsKey(RETENTION_COUNT) ? integer(RETENTION_COUNT, values.get(RETENTION_COUNT))
                : fallback.maxCount();
        var age = values.containsKey(RETENTION_AGE) ? Durations.parse(RETENTION_AGE, values.get(RETENTION_AGE))
                : fallback.maxAge();
        builder.retention(retention(RETENTION_COUNT, count, age));
        if (retentionTopics != null && !retentionTopics.isMissingNode() && !retentionTopics.isNull()) {
            builder.retentionRules(rules(retentionTopics, count, age));
        }
        if (access != null && !access.isNull()) {
            builder.access(AccessReader.read(access));
        }
        return builder.build();
    }

    private static List<String> allKeys() {
        List<String> keys = new ArrayList<>(KEYS.keySet());
        keys.add(RETENTION_COUNT);
        keys.add(RETENTION_AGE);
        return keys;
    }

    private static List<RetentionPolicy.Rule> rules(JsonNode list, int count, Duration age) {
        if (!list.isArray()) {
            throw new IllegalArgumentException(
                    "retention.topics: expected a list of {pattern, count, age}");
        }
        List<RetentionPolicy.Rule> rules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode rule = list.get(i);
            String where = "retention.topics[" + i + "]";
            Iterator<String> names = rule.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!List.of("pattern", "count", "age").contains(name)) {
                    throw new IllegalArgumentException(where + ": unknown key '" + name
                            + "' (expected: pattern, count, age)");
                }
            }
            if (!rule.path("pattern").isTextual()) {
                throw new IllegalArgumentException(where + ".pattern: missing (expected: a topic or selector)");
            }
            Selector selector;
            try {
                selector = Selector.of(rule.get("pattern").asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ".pattern: " + e.getMessage(), e);
            }
            int c = rule.has("count") ? integer(where + ".count", rule.get("count").asText()) : count;
            var a = rule.has("age") ? Durations.parse(where + ".age", rule.get("age").asText()) : age;
            rules.add(new RetentionPolicy.Rule(selector, retention(where + ".count", c, a)));
        }
        return rules;
    }

    private static Retention retention(String key, int count, Duration age) {
        if (count < 1) {
            throw new IllegalArgumentException(key + ": " + count + " (expected: >= 1)");
        }
        if (age.isZero()) {
            throw new IllegalArgumentException(key.replace("count", "age") + ": 0 (expected: > 0)");
        }
        return new Retention(count, age);
    }

    private static JsonNode read(Path file) {
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
            if (root == null || root.isMissingNode() || root.isNull()) {
                return new ObjectMapper().createObjectNode();
            }
            if (!root.isObject()) {
                throw new IllegalArgumentException("config: " + file + " (expected: a YAML mapping of sections)");
            }
            return root;
        } catch (IOException e) {
            throw new IllegalArgumentException("config: cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), into));
        } else if (!node.isNull()) {
            into.put(prefix, node.isArray() ? node.toString() : node.asText());
        }
    }

    /** A list of selectors: a YAML (JSON) list, or comma-separated from an environment variable. */
    private static List<Selector> selectors(String key, String value) {
        List<String> patterns = new ArrayList<>();
        String v = value.trim();
        if (v.startsWith("[")) {
            try {
                for (JsonNode item : new ObjectMapper().readTree(v)) {
                    if (!item.isTextual()) {
                        throw new IllegalArgumentException(key + ": " + item + " (expected: a topic or selector)");
                    }
                    patterns.add(item.textValue());
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(key + ": '" + value + "' (expected: a list of selectors)");
            }
        } else if (!v.isEmpty()) {
            for (String p : v.split(",")) {
                patterns.add(p.trim());
            }
        }
        List<Selector> selectors = new ArrayList<>(patterns.size());
        for (String pattern : patterns) {
            try {
                selectors.add(Selector.of(pattern));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
            }
        }
        return selectors;
    }

    private static int integer(String key, String value) {
        try {
            return Integer.parseInt(value.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' (expected: a whole number)");
        }
    }

    private static boolean bool(String key, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException(key + ": '" + value + "' (expected: true or false)");
        };
    }

    private static <E extends Enum<E>> E choice(String key, String value, Class<E> type) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                names.add(c.name().toLowerCase(Locale.ROOT));
            }
            throw new IllegalArgumentException(
                    key + ": '" + value + "' (expected: one of " + String.join(", ", names) + ")");
        }
    }
}
