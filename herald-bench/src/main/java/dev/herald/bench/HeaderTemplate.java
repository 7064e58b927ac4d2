package dev.herald.bench;

import java.util.List;

/**
 * A request header whose value is a template: {@code "Accept: text/event-stream"}, {@code "X-Topic: {topic}"}.
 *
 * @param name the header's name
 * @param value its value
 */
public record HeaderTemplate(String name, Template value) {

    /** Parses {@code Name: value}. */
    public static HeaderTemplate parse(String header) {
        int colon = header.indexOf(':');
        if (colon <= 0 || header.substring(0, colon).isBlank()) {
            throw new IllegalArgumentException("header " + header + " (expected: Name: value)");
        }
        return new HeaderTemplate(header.substring(0, colon).trim(), Template.of(header.substring(colon + 1).trim()));
    }

    /** Parses each of {@code headers}. */
    public static List<HeaderTemplate> parseAll(List<String> headers) {
        return headers.stream().map(HeaderTemplate::parse).toList();
    }
}
