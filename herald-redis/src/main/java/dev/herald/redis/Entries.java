package dev.herald.redis;

import dev.herald.core.Message;
import dev.herald.core.Topic;
import java.util.List;
import java.util.Map;

/** Turns stream entries, as XRANGE, XREAD and the scripts return them, into {@link Message}s. */
final class Entries {
    private Entries() {
    }

    /** The offset an entry id {@code <offset>-1} names. */
    static long offsetOf(String id) {
        int dash = id.indexOf('-');
        return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
    }

    /** An entry from XREAD: its id and its fields by name. */
    static Message fromBody(String id, Map<String, String> body) {
        return message(offsetOf(id), body.get("t"), body.get("e"), body.get("d"), body.get("k"), body.get("m"));
    }

    /** An entry as a script returns it: {@code [id, [name, value, ...]]}. */
    static Message fromScript(Object entry) {
        List<?> e = (List<?>) entry;
        return fromFields(offsetOf((String) e.get(0)), (List<?>) e.get(1));
    }

    /** Fields as a script returns them: {@code [name, value, ...]}. */
    static Message fromFields(long offset, List<?> fields) {
        String topic = null;
        String event = null;
        String data = null;
        String key = null;
        String time = null;
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            String value = (String) fields.get(i + 1);
            switch ((String) fields.get(i)) {
                case "t" -> topic = value;
                case "e" -> event = value;
                case "d" -> data = value;
                case "k" -> key = value;
                case "m" -> time = value;
                default -> {
                    // A field a later version added: ignored.
                }
            }
        }
        return message(offset, topic, event, data, key, time);
    }

    private static Message message(long offset, String topic, String event, String data, String key, String time) {
        if (topic == null || data == null || time == null) {
            throw new IllegalStateException("stream entry " + offset + "-1 is not a Herald message (fields t, d "
                    + "and m are required): another program writes under this log's prefix");
        }
        return new Message(offset, Topic.of(topic), event == null ? Message.DEFAULT_EVENT : event, data,
                Long.parseLong(time), key == null ? "" : key);
    }
}
