package dev.herald.server.config;

/**
 * The chat and monitoring demos of the {@code demo} section (its {@code clock} is {@link HeraldConfig#clockDemo()}).
 *
 * @param chat the chat's demo backend: {@code POST /api/v1/demo/token} mints a token for any name
 * @param plant the simulated plant: meters publishing readings every second, alarms on thresholds
 * @param meters how many meters the plant has
 */
public record DemoSettings(boolean chat, boolean plant, int meters) {
    /** Both on, with eight meters: what {@code ./herald serve} shows a new user. */
    public static final DemoSettings DEFAULT = new DemoSettings(true, true, 8);

    /** The most meters a plant may have. */
    public static final int MAX_METERS = 64;

    public DemoSettings {
        if (meters < 1 || meters > MAX_METERS) {
            throw new IllegalArgumentException("demo.meters: " + meters + " (expected: 1 to " + MAX_METERS + ")");
        }
    }
}
