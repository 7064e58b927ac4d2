package dev.herald.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The clock demo at {@code GET /}, in a real browser, against a real in-process server. */
class ClockPageIT {

    /** The page should show three changes, at one tick a second; allow for a slow start. */
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int DISTINCT_TIMES = 4;
    /** Server and test share a clock; the page shows a time at most a tick and a poll old. */
    private static final Duration SKEW = Duration.ofSeconds(3);

    @RegisterExtension
    final Chromium chromium = new Chromium();

    @Test
    void pageShowsTheServerClockTickingLive() throws Exception {
        HeraldConfig config = HeraldConfig.builder().port(0).memoryStore().build();
        try (HeraldServer server = HeraldServer.start(config)) {
            chromium.open("http://127.0.0.1:" + server.port() + "/");

            // Each distinct #time value, with the test's clock when it was first seen.
            Map<String, Instant> seen = new LinkedHashMap<>();
            chromium.await(WAIT, () -> "#time to change " + (DISTINCT_TIMES - 1) + " times; saw " + seen.keySet(),
                    browser -> {
                        String time = chromium.text("#time");
                        if (!time.isBlank()) {
                            seen.putIfAbsent(time, Instant.now());
                        }
                        return seen.size() >= DISTINCT_TIMES;
                    });

            List<Instant> shown = new ArrayList<>();
            seen.forEach((text, observedAt) -> {
                Instant time = parse(text);
                assertThat(Duration.between(observedAt, time).abs())
                        .as("server time %s seen at %s", text, observedAt)
                        .isLessThan(SKEW);
                shown.add(time);
            });
            assertThat(shown).as("server times in the order shown").isSorted();
            assertThat(chromium.text("#state")).isEqualTo("live");
            assertThat(Integer.parseInt(chromium.text("#ticks"))).isGreaterThanOrEqualTo(DISTINCT_TIMES);
            assertThat(chromium.text("#last-id")).isNotBlank();

            chromium.screenshot("clock-page");
        }
    }

    private static Instant parse(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new AssertionError("#time is not an ISO-8601 instant: " + text, e);
        }
    }
}
