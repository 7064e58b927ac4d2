package dev.herald.core;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Which subscriptions want which topics: a trie of selector segments, where {@code +} and {@code #} are
 * children like any other.
 *
 * <p>Lookups are lock-free and run on the executor of the index's {@link Lane}; changes are serialised by a lock. A lookup
 * that races with an {@link #add} may miss the new subscription; that is safe because a subscription reads
 * the log after it is added, and every message fanned out was in the log before.
 */
final class SubscriptionIndex {
    private static final String PLUS = "+";
    private static final String HASH = "#";

    private static final class Node {
        final Map<String, Node> children = new ConcurrentHashMap<>();
        final Set<Subscription> here = ConcurrentHashMap.newKeySet();

        boolean isEmpty() {
            return children.isEmpty() && here.isEmpty();
        }
    }

    private final Node root = new Node();
    private final Object lock = new Object();

    void add(Selector selector, Subscription subscription) {
        synchronized (lock) {
            Node node = root;
            for (String segment : selector.pattern().split("/", -1)) {
                node = node.children.computeIfAbsent(segment, s -> new Node());
            }
            node.here.add(subscription);
        }
    }

    void remove(Selector selector, Subscription subscription) {
        synchronized (lock) {
            remove(root, selector.pattern().split("/", -1), 0, subscription);
        }
    }

    private static void remove(Node node, String[] segments, int i, Subscription subscription) {
        if (i == segments.length) {
            node.here.remove(subscription);
            return;
        }
        Node child = node.children.get(segments[i]);
        if (child != null) {
            remove(child, segments, i + 1, subscription);
            if (child.isEmpty()) {
                node.children.remove(segments[i]);
            }
        }
    }

    /** Calls {@code into} for each subscription one of whose selectors matches; once per matching selector. */
    void collect(Topic topic, Consumer<Subscription> into) {
        collect(root, topic.name(), 0, into);
    }

    private static void collect(Node node, String topic, int from, Consumer<Subscription> into) {
        Node hash = node.children.get(HASH);
        if (hash != null) {
            hash.here.forEach(into); // '#' matches the rest, also when nothing is left: a/# names a.
        }
        if (from > topic.length()) {
            node.here.forEach(into);
            return;
        }
        int end = topic.indexOf('/', from);
        int segEnd = end < 0 ? topic.length() : end;
        int next = end < 0 ? topic.length() + 1 : end + 1;
        Node literal = node.children.get(topic.substring(from, segEnd));
        if (literal != null) {
            collect(literal, topic, next, into);
        }
        Node plus = node.children.get(PLUS);
        if (plus != null) {
            collect(plus, topic, next, into);
        }
    }

    boolean isEmpty() {
        return root.isEmpty();
    }

    /** Adds the subscriptions of each selector to {@code into}, by pattern. */
    void countInto(Map<String, Integer> into) {
        count(root, "", into);
    }

    private static void count(Node node, String path, Map<String, Integer> into) {
        int here = node.here.size();
        if (here > 0 && !path.isEmpty()) {
            into.merge(path, here, Integer::sum);
        }
        node.children.forEach((segment, child) -> count(child, path.isEmpty() ? segment : path + "/" + segment, into));
    }
}
