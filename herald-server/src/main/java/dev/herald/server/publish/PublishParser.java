package dev.herald.server.publish;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.core.Draft;
import dev.herald.core.Message;
import dev.herald.core.Text;
import dev.herald.core.Topic;
import dev.herald.server.http.Problem;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a publish body into drafts, or refuses it with the problem that names what is wrong: nothing is
 * appended unless every message of the body is valid.
 */
public final class PublishParser {
    /** The longest event name, in characters. */
    public static final int MAX_EVENT_CHARS = 64;
    /** The longest idempotency key, in characters. */
    public static final int MAX_ID_CHARS = 128;
    /** Event names that only Herald itself sends. */
    public static final String RESERVED_EVENT_PREFIX = "herald.";

    private static final Set<String> FIELDS = Set.of("topic", "event", "data", "id");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final int maxDataBytes;
    private final int maxBatch;

    public PublishParser(int maxDataBytes, int maxBatch) {
        this.maxDataBytes = maxDataBytes;
        this.maxBatch = maxBatch;
    }

    /** A parsed publish: its drafts, and whether the body was an array (answered as a batch). */
    public record Parsed(List<Draft> drafts, boolean batch) {
    }

    public Parsed json(byte[] body) {
        String text = utf8(body);
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw Problem.badRequest("malformed-json", "The body is not valid JSON: "
                    + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ").").exception();
        }
        if (root == null || root.isMissingNode()) {
            throw Problem.badRequest("malformed-json", "The body is empty; send a JSON object "
                    + "{\"topic\": ..., \"data\": ...} or an array of them.").exception();
        }
        if (root.isObject()) {
            return new Parsed(List.of(draft(root, "", "id")), false);
        }
        if (!root.isArray()) {
            throw Problem.badRequest("malformed-json", "The body is JSON " + root.getNodeType().name().toLowerCase()
                    + "; send an object {\"topic\": ..., \"data\": ...} or an array of them.").exception();
        }
        if (root.isEmpty()) {
            throw Problem.badRequest("empty-batch", "The array holds no message; send at least one.").exception();
        }
        checkBatch(root.size());
        List<Draft> drafts = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            JsonNode item = root.get(i);
            String where = "[" + i + "].";
            if (!item.isObject()) {
                throw Problem.badRequest("malformed-message", "Message " + where.substring(0, where.length() - 1)
                        + " is not a JSON object.").exception();
            }
            drafts.add(draft(item, where, "id"));
        }
        return new Parsed(drafts, true);
    }

    /**
     * Validates one message that is already parsed, by the rules and with the problems of a message in a publish
     * body. Its fields are {@code topic}, {@code event}, {@code data} and {@code keyField}, the idempotency key:
     * {@code id} in a publish body, {@code key} where {@code id} means something else (a WebSocket publish).
     *
     * @throws dev.herald.server.http.ProblemException naming what is wrong
     */
    public Draft draft(JsonNode message, String keyField) {
        if (!message.isObject()) {
            throw Problem.badRequest("malformed-message", "The message is not a JSON object.").exception();
        }
        return draft(message, "", keyField);
    }

    private Draft draft(JsonNode node, String where, String keyField) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals(keyField) && (name.equals("id") || !FIELDS.contains(name))) {
                throw Problem.badRequest("unknown-field", "Field " + where + name
                        + " is unknown (expected: topic, event, data, " + keyField + ").").exception();
            }
        }
        return draft(text(node, where, "topic", true), text(node, where, "event", false),
                data(node, where), text(node, where, keyField, false), where, keyField);
    }

    private static String text(JsonNode node, String where, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw Problem.badRequest("missing-field", "Field " + where + field + " is missing.").exception();
            }
            return null;
        }
        if (!value.isTextual()) {
            throw Problem.badRequest("malformed-field", "Field " + where + field + " must be a string, not "
                    + value.getNodeType().name().toLowerCase() + ".").exception();
        }
        return value.textValue();
    }

    private static String data(JsonNode node, String where) {
        JsonNode value = node.get("data");
        if (value == null) {
            throw Problem.badRequest("missing-field", "Field " + where + "data is missing.").exception();
        }
        // Text is sent as it is; any other JSON value is sent as its compact JSON text.
        return value.isTextual() ? value.textValue() : value.toString();
    }

    /** Parses {@code application/x-www-form-urlencoded}: one message, fields topic, event, data, id. */
    public Parsed form(byte[] body) {
        Map<String, String> fields = new LinkedHashMap<>();
        String raw = new String(body, StandardCharsets.ISO_8859_1);
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!FIELDS.contains(name)) {
                throw Problem.badRequest("unknown-field",
                        "Form field " + name + " is unknown (expected: topic, event, data, id).").exception();
            }
            if (fields.put(name, value) != null) {
                throw Problem.badRequest("repeated-field",
                        "Form field " + name + " is given twice; publish one message per form.").exception();
            }
        }
        if (!fields.containsKey("topic")) {
            throw Problem.badRequest("missing-field", "Form field topic is missing.").exception();
        }
        if (!fields.containsKey("data")) {
            throw Problem.badRequest("missing-field", "Form field data is missing.").exception();
        }
        return new Parsed(List.of(draft(fields.get("topic"), fields.get("event"), fields.get("data"),
                fields.get("id"), "", "id")), false);
    }

    private Draft draft(String topicName, String event, String data, String id, String where, String keyField) {
        Topic topic;
        try {
            topic = Topic.of(topicName);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("invalid-topic", where + e.getMessage()).exception();
        }
        String type = event == null ? Message.DEFAULT_EVENT : checkEvent(event, where);
        if (!Text.isWellFormed(data)) {
            throw Problem.badRequest("invalid-utf8", "Field " + where
                    + "data holds an unpaired surrogate escape and cannot be sent as UTF-8.").exception();
        }
        int bytes = utf8Length(data);
        if (bytes > maxDataBytes) {
            throw Problem.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "data-too-large", "Field " + where
                    + "data is " + bytes + " bytes of UTF-8, over the limit of " + maxDataBytes
                    + " (limits.maxDataBytes).").exception();
        }
        return new Draft(topic, type, data, id == null ? "" : checkId(id, where + keyField));
    }

    private static String checkEvent(String event, String where) {
        if (event.isEmpty() || event.length() > MAX_EVENT_CHARS) {
            throw Problem.badRequest("invalid-event", "Field " + where + "event has " + event.length()
                    + " characters (expected: 1 to " + MAX_EVENT_CHARS + ").").exception();
        }
        for (int i = 0; i < event.length(); i++) {
            char c = event.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw Problem.badRequest("invalid-event", "Field " + where
                        + "event contains a line break or NUL, which would end the SSE field.").exception();
            }
        }
        if (!Text.isWellFormed(event)) {
            throw Problem.badRequest("invalid-utf8", "Field " + where + "event holds an unpaired surrogate.")
                    .exception();
        }
        if (event.startsWith(RESERVED_EVENT_PREFIX)) {
            throw Problem.badRequest("reserved-event", "Field " + where + "event '" + event
                    + "' starts with '" + RESERVED_EVENT_PREFIX + "', which only Herald sends.").exception();
        }
        return event;
    }

    private static String checkId(String id, String field) {
        if (id.isEmpty() || id.length() > MAX_ID_CHARS) {
            throw Problem.badRequest("invalid-id", "Field " + field + " has " + id.length()
                    + " characters (expected: 1 to " + MAX_ID_CHARS + ").").exception();
        }
        for (int i = 0; i < id.length(); i++) {
            if (id.charAt(i) < 0x20 || id.charAt(i) == 0x7f) {
                throw Problem.badRequest("invalid-id", "Field " + field + " contains a control character.")
                        .exception();
            }
        }
        if (!Text.isWellFormed(id)) {
            throw Problem.badRequest("invalid-utf8", "Field " + field + " holds an unpaired surrogate.")
                    .exception();
        }
        return id;
    }

    private void checkBatch(int size) {
        if (size > maxBatch) {
            throw Problem.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "batch-too-large", "The array holds "
                    + size + " messages, over the limit of " + maxBatch + " (limits.maxBatch).").exception();
        }
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw Problem.badRequest("invalid-utf8", "The body is not valid UTF-8.").exception();
        }
    }

    /** Strict form decoding: '+' is a space, %XX a byte, and the bytes must be UTF-8. */
    private static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                out.write(' ');
            } else if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw Problem.badRequest("malformed-form", "The form has a malformed %-escape at character "
                            + i + ".").exception();
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        return utf8(out.toByteArray());
    }

    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
