package dev.herald.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link Retention} of each topic: the first rule whose selector matches it, else the default. */
public final class RetentionPolicy {
    /** One rule: topics matching {@code selector} keep {@code retention}. */
    public record Rule(Selector selector, Retention retention) {
    }

    private final Retention fallback;
    private final List<Rule> rules;
    private final Map<Topic, Retention> resolved = new ConcurrentHashMap<>();

    public RetentionPolicy(Retention fallback, List<Rule> rules) {
        this.fallback = fallback;
        this.rules = List.copyOf(rules);
    }

    public static RetentionPolicy of(Retention retention) {
        return new RetentionPolicy(retention, List.of());
    }

    public Retention forTopic(Topic topic) {
        return resolved.computeIfAbsent(topic, t -> {
            for (Rule rule : rules) {
                if (rule.selector().matches(t)) {
                    return rule.retention();
                }
            }
            return fallback;
        });
    }

    /** The longest age any rule keeps: nothing older can be in the log. */
    public Duration longestAge() {
        Duration d = fallback.maxAge();
        for (Rule r : rules) {
            if (r.retention().maxAge().compareTo(d) > 0) {
                d = r.retention().maxAge();
            }
        }
        return d;
    }
}
