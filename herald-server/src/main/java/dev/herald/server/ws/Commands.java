package dev.herald.server.ws;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.Cursor;
import dev.herald.core.Selector;
import dev.herald.core.Start;
import dev.herald.server.http.Problem;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a client's text frame into a {@link Command}, or refuses it: a frame that is not a JSON object is
 * {@link NotAnObject} (the connection closes, 1007); a command that is wrong is a {@link Refusal} (an error
 * frame). The checks and problem types are those of the SSE stream and the publish API.
 */
final class Commands {
    /** The longest subscription id or publish ref, in characters. */
    static final int MAX_NAME_CHARS = 64;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> SUBSCRIBE_FIELDS = Set.of("type", "id", "topics", "cursor", "history");
    private static final Set<String> UNSUBSCRIBE_FIELDS = Set.of("type", "id");

    /** What a client asks for. */
    sealed interface Command {
        /** Which command an error about this one names. */
        Refusal.About about();
    }

    record Subscribe(String id, Set<Selector> selectors, Start start) implements Command {
        @Override
        public Refusal.About about() {
            return Refusal.About.sub(id);
        }
    }

    record Unsubscribe(String id) implements Command {
        @Override
        public Refusal.About about() {
            return Refusal.About.sub(id);
        }
    }

    /**
     * @param ref the client's name for this publish, or "" for none
     * @param message the message's own fields (all but {@code type} and {@code ref}), not yet validated
     */
    record Publish(String ref, ObjectNode message) implements Command {
        @Override
        public Refusal.About about() {
            return Refusal.About.ref(ref);
        }
    }

    /** A frame that is not a JSON object at all: not a Herald command, whatever its type would have been. */
    static final class NotAnObject extends Exception {
        private static final long serialVersionUID = 1L;

        NotAnObject(String reason) {
            super(reason, null, false, false);
        }
    }

    private final int maxTopics;
    private final int maxHistory;

    Commands(int maxTopics, int maxHistory) {
        this.maxTopics = maxTopics;
        this.maxHistory = maxHistory;
    }

    /** @throws Refusal for a command that is wrong; the connection goes on */
    Command parse(String text) throws NotAnObject {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new NotAnObject("malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr());
        }
        if (root == null || !root.isObject()) {
            throw new NotAnObject("not a JSON object");
        }
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual()) {
            throw new Refusal(aboutAnything(root), type == null || type.isNull()
                    ? Problem.badRequest("missing-field", "Field type is missing (expected: subscribe, unsubscribe "
                            + "or publish).")
                    : Problem.badRequest("malformed-field", "Field type must be a string, not "
                            + kind(type) + "."));
        }
        return switch (type.textValue()) {
            case "subscribe" -> subscribe(root);
            case "unsubscribe" -> unsubscribe(root);
            case "publish" -> publish(root);
            default -> throw new Refusal(aboutAnything(root), Problem.badRequest("unknown-type", "Type '"
                    + shown(type.textValue()) + "' is unknown (expected: subscribe, unsubscribe or publish)."));
        };
    }

    private Subscribe subscribe(JsonNode root) {
        String id = name(root, "id", "invalid-subscription-id", Refusal.About.NOTHING)
                .orElseThrow(() -> missing(Refusal.About.NOTHING, "id"));
        Refusal.About about = Refusal.About.sub(id);
        onlyFields(root, SUBSCRIBE_FIELDS, about);
        return new Subscribe(id, selectors(root, about), start(root, about));
    }

    private static Unsubscribe unsubscribe(JsonNode root) {
        String id = name(root, "id", "invalid-subscription-id", Refusal.About.NOTHING)
                .orElseThrow(() -> missing(Refusal.About.NOTHING, "id"));
        onlyFields(root, UNSUBSCRIBE_FIELDS, Refusal.About.sub(id));
        return new Unsubscribe(id);
    }

    private static Publish publish(JsonNode root) {
        String ref = name(root, "ref", "invalid-ref", Refusal.About.NOTHING).orElse("");
        ObjectNode message = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getKey().equals("type") && !field.getKey().equals("ref")) {
                message.set(field.getKey(), field.getValue()); // shared, not copied: neither side changes it
            }
        }
        return new Publish(ref, message);
    }

    private Set<Selector> selectors(JsonNode root, Refusal.About about) {
        JsonNode topics = root.get("topics");
        if (topics == null || topics.isNull() || topics.isArray() && topics.isEmpty()) {
            throw new Refusal(about, Problem.badRequest("missing-topic", "Name at least one topic to subscribe to: "
                    + "\"topics\":[\"chat/room-1\"] (wildcards + and # allowed)."));
        }
        if (!topics.isArray()) {
            throw new Refusal(about, Problem.badRequest("malformed-field", "Field topics must be an array of "
                    + "strings, not " + kind(topics) + "."));
        }
        if (topics.size() > maxTopics) {
            throw new Refusal(about, Problem.badRequest("too-many-topics", "The subscription names "
                    + topics.size() + " topics, over the limit of " + maxTopics
                    + " (limits.maxTopicsPerSubscription); use a wildcard selector instead."));
        }
        Set<Selector> selectors = new LinkedHashSet<>();
        for (int i = 0; i < topics.size(); i++) {
            JsonNode topic = topics.get(i);
            if (!topic.isTextual()) {
                throw new Refusal(about, Problem.badRequest("malformed-field", "Field topics[" + i
                        + "] must be a string, not " + kind(topic) + "."));
            }
            try {
                selectors.add(Selector.of(topic.textValue()));
            } catch (IllegalArgumentException e) {
                throw new Refusal(about, Problem.badRequest("invalid-topic", e.getMessage()));
            }
        }
        return selectors;
    }

    /** As on SSE: a cursor wins over {@code history}, so that a client may resend its first subscribe. */
    private Start start(JsonNode root, Refusal.About about) {
        JsonNode cursor = root.get("cursor");
        if (cursor != null && !cursor.isNull()) {
            if (!cursor.isTextual()) {
                throw new Refusal(about, Problem.badRequest("malformed-field", "Field cursor must be a string, not "
                        + kind(cursor) + "."));
            }
            try {
                return Start.after(Cursor.parse(cursor.textValue()));
            } catch (IllegalArgumentException e) {
                throw new Refusal(about, Problem.badRequest("malformed-cursor", e.getMessage()));
            }
        }
        JsonNode history = root.get("history");
        if (history == null || history.isNull()) {
            return Start.now();
        }
        if (!history.canConvertToInt() || !history.isIntegralNumber() || history.intValue() < 0
                || history.intValue() > maxHistory) {
            throw new Refusal(about, Problem.badRequest("invalid-history", "history: " + shown(history.toString())
                    + " (expected: 0 to " + maxHistory + ", the number of past messages to replay;"
                    + " limits.maxHistory)"));
        }
        return history.intValue() == 0 ? Start.now() : Start.last(history.intValue());
    }

    private static void onlyFields(JsonNode root, Set<String> allowed, Refusal.About about) {
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new Refusal(about, Problem.badRequest("unknown-field", "Field " + shown(name)
                        + " is unknown (expected: " + String.join(", ", allowed.stream().sorted().toList()) + ")."));
            }
        }
    }

    /** A subscription id or a publish ref: present or not, but never malformed. */
    private static Optional<String> name(JsonNode root, String field, String problemType, Refusal.About about) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new Refusal(about, Problem.badRequest("malformed-field", "Field " + field + " must be a string, "
                    + "not " + kind(value) + "."));
        }
        if (!isName(value.textValue())) {
            throw new Refusal(about, Problem.badRequest(problemType, "Field " + field + " must be 1 to "
                    + MAX_NAME_CHARS + " characters without control characters."));
        }
        return Optional.of(value.textValue());
    }

    /** What an error about a command of unknown kind names: its ref, else its id, when valid. */
    private static Refusal.About aboutAnything(JsonNode root) {
        JsonNode ref = root.get("ref");
        if (ref != null && ref.isTextual() && isName(ref.textValue())) {
            return Refusal.About.ref(ref.textValue());
        }
        JsonNode id = root.get("id");
        if (id != null && id.isTextual() && isName(id.textValue())) {
            return Refusal.About.sub(id.textValue());
        }
        return Refusal.About.NOTHING;
    }

    private static boolean isName(String s) {
        if (s.isEmpty() || s.length() > MAX_NAME_CHARS) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static Refusal missing(Refusal.About about, String field) {
        return new Refusal(about, Problem.badRequest("missing-field", "Field " + field + " is missing."));
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Client text echoed in a detail: short, and without control characters. */
    private static String shown(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_NAME_CHARS) + 1);
        for (int i = 0; i < s.length() && i < MAX_NAME_CHARS; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? '?' : c);
        }
        return s.length() > MAX_NAME_CHARS ? b.append('\u2026').toString() : b.toString();
    }
}
