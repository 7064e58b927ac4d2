package dev.herald.server.auth.token;

import static java.util.Objects.requireNonNull;

import dev.herald.core.Selector;
import dev.herald.server.auth.Permissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Topic patterns that name a user's own topics with the placeholder {@value #PLACEHOLDER}, such as
 * {@code user/{sub}/#}: the placeholder is replaced by the user id before the pattern is parsed as a
 * {@link Selector}. Both a token's {@code subscribe}/{@code publish} claims and an app's configured permissions
 * may use it, so an app can grant every user their own private topics and nobody else's.
 *
 * <p>The placeholder stands for one whole segment ({@code user/{sub}/#}, not {@code user-{sub}}), so a pattern
 * with it always names a subset of the same pattern with {@code +} in its place (see {@link #forAnyUser}). A
 * user id can fill it only if it is a valid segment that is no wildcard: no {@code /}, {@code +}, {@code #} and
 * no control character; otherwise {@code alice/#} would let a user named so read another user's topics.
 */
public final class UserPatterns {
    /** The placeholder for the user id, a token's {@code sub}. */
    public static final String PLACEHOLDER = "{sub}";

    private UserPatterns() {
    }

    /**
     * The permissions these pattern strings grant {@code user}.
     *
     * @throws IllegalArgumentException if a pattern is not a selector after substitution, has the placeholder
     *         inside a segment, or uses it while {@code user} cannot fill it
     */
    public static Permissions forUser(List<String> publishPatterns, List<String> subscribePatterns, String user) {
        requireNonNull(publishPatterns, "publishPatterns");
        requireNonNull(subscribePatterns, "subscribePatterns");
        requireNonNull(user, "user");
        return new Permissions(substitute("publish", publishPatterns, user),
                substitute("subscribe", subscribePatterns, user));
    }

    /**
     * These permissions, as they apply to {@code user}: every selector with the placeholder (an app's configured
     * {@code user/{sub}/#} is a valid selector whose segment is the literal text) gets the user id in its place.
     *
     * @throws IllegalArgumentException as {@link #forUser(List, List, String)}
     */
    public static Permissions forUser(Permissions permissions, String user) {
        requireNonNull(permissions, "permissions");
        requireNonNull(user, "user");
        if (!usesPlaceholder(permissions)) {
            return permissions;
        }
        return forUser(patterns(permissions.publish()), patterns(permissions.subscribe()), user);
    }

    /**
     * These permissions for a principal acting for every user, such as the app's own signed requests: the
     * placeholder becomes {@code +}, so an app granted {@code user/{sub}/#} may use {@code user/+/#}.
     *
     * @throws IllegalArgumentException if a selector has the placeholder inside a segment
     */
    public static Permissions forAnyUser(Permissions permissions) {
        requireNonNull(permissions, "permissions");
        if (!usesPlaceholder(permissions)) {
            return permissions;
        }
        return new Permissions(anyUser("publish", permissions.publish()),
                anyUser("subscribe", permissions.subscribe()));
    }

    /** Whether {@code pattern} contains the placeholder. */
    public static boolean usesPlaceholder(String pattern) {
        return pattern.contains(PLACEHOLDER);
    }

    /**
     * Checks that {@code pattern}, with the placeholder kept, is a selector and has the placeholder only as a
     * whole segment; for validating configuration when it is read.
     *
     * @throws IllegalArgumentException with a message naming {@code name}
     */
    public static Selector template(String name, String pattern) {
        requireNonNull(pattern, name);
        checkWholeSegments(name, pattern);
        try {
            return Selector.of(pattern);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The selector {@code pattern} names for {@code user}.
     *
     * @param name what the pattern is, for the message, e.g. {@code subscribe[2]}
     * @throws IllegalArgumentException with a message naming {@code name}
     */
    public static Selector selector(String name, String pattern, String user) {
        requireNonNull(pattern, name);
        requireNonNull(user, "user");
        String filled = pattern;
        if (usesPlaceholder(pattern)) {
            checkWholeSegments(name, pattern);
            if (!canFill(user)) {
                throw new IllegalArgumentException("sub: '" + TokenClaims.printable(user) + "' cannot fill "
                        + PLACEHOLDER + " in " + name + " '" + pattern
                        + "' (expected: a user id without '/', '+', '#' or control characters)");
            }
            filled = pattern.replace(PLACEHOLDER, user);
        }
        try {
            return Selector.of(filled);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code user} may replace the placeholder: a non-empty segment with no wildcard or control char. */
    public static boolean canFill(String user) {
        if (user.isEmpty()) {
            return false;
        }
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c == '/' || c == '+' || c == '#' || c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static List<Selector> substitute(String name, List<String> patterns, String user) {
        List<Selector> result = new ArrayList<>(patterns.size());
        for (int i = 0; i < patterns.size(); i++) {
            result.add(selector(name + "[" + i + "]", patterns.get(i), user));
        }
        return result;
    }

    private static List<Selector> anyUser(String name, List<Selector> selectors) {
        List<Selector> result = new ArrayList<>(selectors.size());
        for (int i = 0; i < selectors.size(); i++) {
            String pattern = selectors.get(i).pattern();
            if (usesPlaceholder(pattern)) {
                checkWholeSegments(name + "[" + i + "]", pattern);
                result.add(Selector.of(pattern.replace(PLACEHOLDER, "+")));
            } else {
                result.add(selectors.get(i));
            }
        }
        return result;
    }

    private static void checkWholeSegments(String name, String pattern) {
        for (String segment : pattern.split("/", -1)) {
            if (segment.contains(PLACEHOLDER) && !segment.equals(PLACEHOLDER)) {
                throw new IllegalArgumentException(name + ": '" + TokenClaims.printable(pattern) + "' has "
                        + PLACEHOLDER + " inside a segment (expected: " + PLACEHOLDER + " alone between '/', e.g. user/"
                        + PLACEHOLDER + "/#)");
            }
        }
    }

    private static boolean usesPlaceholder(Permissions permissions) {
        for (Selector s : permissions.publish()) {
            if (usesPlaceholder(s.pattern())) {
                return true;
            }
        }
        for (Selector s : permissions.subscribe()) {
            if (usesPlaceholder(s.pattern())) {
                return true;
            }
        }
        return false;
    }

    private static List<String> patterns(List<Selector> selectors) {
        List<String> result = new ArrayList<>(selectors.size());
        for (Selector s : selectors) {
            result.add(s.pattern());
        }
        return result;
    }
}
