package dev.herald.store;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Log;
import dev.herald.core.Message;
import dev.herald.core.Selector;
import dev.herald.core.Topic;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Shorthands for the store's tests. */
final class Logs {
    private Logs() {
    }

    static Draft draft(String topic, String data) {
        return Draft.of(Topic.of(topic), data);
    }

    static Draft keyed(String topic, String data, String key) {
        return new Draft(Topic.of(topic), Message.DEFAULT_EVENT, data, key);
    }

    static List<Appended> append(Log log, Draft... drafts) {
        return log.append(List.of(drafts)).orTimeout(10, TimeUnit.SECONDS).join();
    }

    static Set<Selector> sel(String... patterns) {
        Set<Selector> s = new LinkedHashSet<>();
        for (String p : patterns) {
            s.add(Selector.of(p));
        }
        return s;
    }

    static List<String> data(List<Message> messages) {
        return messages.stream().map(Message::data).toList();
    }

    static List<Long> offsets(List<Message> messages) {
        return messages.stream().map(Message::offset).toList();
    }
}
