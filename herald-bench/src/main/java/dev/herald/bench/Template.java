package dev.herald.bench;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A URL, header or body with placeholders, compiled once and rendered per request. The placeholders are
 * {@code {topic}}, {@code {seq}}, {@code {ts}}, {@code {data}}, {@code {cursor}}, {@code {timeout}} and
 * {@code {sub}} (the subscriber's index); any other brace is literal text, so JSON bodies need no escaping:
 * {@code {"topic":"{topic}","data":"{data}"}}.
 *
 * <p>Values are inserted as they are: topics are {@code <prefix>-<n>} and payloads plain ASCII, safe in a URL
 * and in a JSON string alike.
 */
public final class Template {
    /** What a template may ask for. */
    public enum Placeholder {
        TOPIC, SEQ, TS, DATA, CURSOR, TIMEOUT, SUB;

        final String token = "{" + name().toLowerCase(Locale.ROOT) + "}";
    }

    /** The values of one rendering; only those the template uses are asked for. */
    @FunctionalInterface
    public interface Values {
        String get(Placeholder placeholder);
    }

    private final String source;
    private final List<Object> parts; // String literals and Placeholders, in order
    private final Set<Placeholder> uses;

    private Template(String source, List<Object> parts, Set<Placeholder> uses) {
        this.source = source;
        this.parts = parts;
        this.uses = uses;
    }

    /** Compiles {@code source}. */
    public static Template of(String source) {
        requireNonNull(source, "source");
        List<Object> parts = new ArrayList<>();
        Set<Placeholder> uses = EnumSet.noneOf(Placeholder.class);
        StringBuilder literal = new StringBuilder();
        int i = 0;
        scan:
        while (i < source.length()) {
            if (source.charAt(i) == '{') {
                for (Placeholder p : Placeholder.values()) {
                    if (source.startsWith(p.token, i)) {
                        if (literal.length() > 0) {
                            parts.add(literal.toString());
                            literal.setLength(0);
                        }
                        parts.add(p);
                        uses.add(p);
                        i += p.token.length();
                        continue scan;
                    }
                }
            }
            literal.append(source.charAt(i++));
        }
        if (literal.length() > 0) {
            parts.add(literal.toString());
        }
        return new Template(source, List.copyOf(parts), uses);
    }

    /** Whether the template contains {@code placeholder}. */
    public boolean uses(Placeholder placeholder) {
        return uses.contains(placeholder);
    }

    /** Renders with {@code values}. */
    public String render(Values values) {
        StringBuilder b = new StringBuilder(source.length() + 64);
        renderInto(b, values);
        return b.toString();
    }

    /** Appends the rendering to {@code b}. */
    public void renderInto(StringBuilder b, Values values) {
        for (Object part : parts) {
            if (part instanceof Placeholder p) {
                b.append(requireNonNull(values.get(p), p.token));
            } else {
                b.append((String) part);
            }
        }
    }

    /** The text the template was compiled from. */
    @Override
    public String toString() {
        return source;
    }
}
