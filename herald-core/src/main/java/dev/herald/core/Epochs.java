package dev.herald.core;

import java.security.SecureRandom;

/** Makes new {@link Log} epochs: random, so that two incarnations of a store never share one. */
public final class Epochs {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Epochs() {
    }

    /** Ten random characters of [0-9a-z]. */
    public static String next() {
        StringBuilder b = new StringBuilder(10);
        for (int i = 0; i < 10; i++) {
            b.append(Character.forDigit(RANDOM.nextInt(36), 36));
        }
        return b.toString();
    }
}
