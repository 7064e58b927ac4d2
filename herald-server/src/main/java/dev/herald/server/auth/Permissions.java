package dev.herald.server.auth;

import dev.herald.core.Selector;
import dev.herald.core.Topic;
import java.util.List;

/**
 * The topics a principal may publish to and subscribe to, as selectors. A topic is permitted when one of the
 * patterns matches it. {@link #within} narrows one set by another: a token can never grant more than its app.
 */
public record Permissions(List<Selector> publish, List<Selector> subscribe) {
    public static final Permissions NONE = new Permissions(List.of(), List.of());

    public Permissions {
        publish = List.copyOf(publish);
        subscribe = List.copyOf(subscribe);
    }

    public boolean mayPublish(Topic topic) {
        return Selector.anyMatches(publish, topic);
    }

    public boolean mayRead(Topic topic) {
        return Selector.anyMatches(subscribe, topic);
    }

    /** Whether some topic that {@code selector} names may be read: else subscribing to it is refused. */
    public boolean mayReadSomeOf(Selector selector) {
        for (Selector allowed : subscribe) {
            if (overlap(selector, allowed)) {
                return true;
            }
        }
        return false;
    }

    /** Whether every topic {@code selector} names may be read: then deliveries need no filter. */
    public boolean mayReadAllOf(Selector selector) {
        for (Selector allowed : subscribe) {
            if (covers(allowed, selector)) {
                return true;
            }
        }
        return false;
    }

    /** These permissions, but only where {@code outer} permits too. */
    public Permissions within(Permissions outer) {
        return new Permissions(intersect(publish, outer.publish), intersect(subscribe, outer.subscribe));
    }

    private static List<Selector> intersect(List<Selector> inner, List<Selector> outer) {
        // A pattern of the inner set stays when the outer set covers it; a broader inner pattern is narrowed to
        // the outer patterns it overlaps, which is exact for the patterns MQTT wildcards can express.
        java.util.LinkedHashSet<Selector> result = new java.util.LinkedHashSet<>();
        for (Selector i : inner) {
            for (Selector o : outer) {
                if (covers(o, i)) {
                    result.add(i);
                } else if (covers(i, o)) {
                    result.add(o);
                } else if (overlap(i, o)) {
                    result.add(narrowest(i, o));
                }
            }
        }
        return List.copyOf(result);
    }

    /** Whether some topic matches both patterns. */
    static boolean overlap(Selector a, Selector b) {
        List<String> x = a.segments();
        List<String> y = b.segments();
        int n = Math.max(x.size(), y.size());
        for (int i = 0; i < n; i++) {
            String s = i < x.size() ? x.get(i) : null;
            String t = i < y.size() ? y.get(i) : null;
            if ("#".equals(s) || "#".equals(t)) {
                return true;
            }
            if (s == null || t == null) {
                // One pattern ended: they overlap only if the other goes on with '#' (a/# names a).
                List<String> longer = s == null ? y : x;
                return longer.size() == i + 1 && longer.get(i).equals("#");
            }
            if (!s.equals("+") && !t.equals("+") && !s.equals(t)) {
                return false;
            }
        }
        return true;
    }

    /** Whether every topic {@code inner} matches is matched by {@code outer}. */
    static boolean covers(Selector outer, Selector inner) {
        List<String> o = outer.segments();
        List<String> i = inner.segments();
        for (int k = 0; k < o.size(); k++) {
            String os = o.get(k);
            if (os.equals("#")) {
                return true;
            }
            if (k >= i.size()) {
                return false;
            }
            String is = i.get(k);
            if (is.equals("#")) {
                return false;
            }
            if (!os.equals("+") && (is.equals("+") || !os.equals(is))) {
                return false;
            }
        }
        return o.size() == i.size();
    }

    /** The pattern naming exactly the topics both name, for overlapping patterns without a common cover. */
    private static Selector narrowest(Selector a, Selector b) {
        List<String> x = a.segments();
        List<String> y = b.segments();
        List<String> out = new java.util.ArrayList<>();
        for (int k = 0; k < Math.max(x.size(), y.size()); k++) {
            if (k >= x.size() || k >= y.size()) {
                break; // one pattern ended, the other is at '#' (they overlap): no more segments
            }
            String s = x.get(k);
            String t = y.get(k);
            if (s.equals("#") || t.equals("#")) {
                out.addAll((s.equals("#") ? y : x).subList(k, (s.equals("#") ? y : x).size()));
                break;
            }
            out.add(s.equals("+") ? t : s);
        }
        return Selector.of(String.join("/", out));
    }
}
