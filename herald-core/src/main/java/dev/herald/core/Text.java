package dev.herald.core;

/** Checks on text that must survive being encoded as UTF-8. */
public final class Text {
    private Text() {
    }

    /** True when {@code s} has no unpaired surrogate, so it encodes to UTF-8 without loss. */
    public static boolean isWellFormed(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
