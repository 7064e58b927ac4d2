package dev.herald.server.demo;

import dev.herald.core.Draft;
import dev.herald.core.Hub;
import dev.herald.core.Topic;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The clock demo: publishes the server's time, as an ISO-8601 instant, on {@code demo/clock} every second. */
public final class ClockPublisher implements AutoCloseable {
    public static final Topic TOPIC = Topic.of("demo/clock");
    private static final Logger log = LoggerFactory.getLogger(ClockPublisher.class);

    private final Hub hub;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "herald-clock");
        t.setDaemon(true);
        return t;
    });

    public ClockPublisher(Hub hub, Clock clock) {
        this.hub = hub;
        this.clock = clock;
    }

    public void start() {
        long toNextSecond = 1000 - clock.millis() % 1000;
        timer.scheduleAtFixedRate(this::tick, toNextSecond, 1000, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        if (!hub.log().isWritable()) {
            return;
        }
        hub.publish(List.of(Draft.of(TOPIC, clock.instant().truncatedTo(ChronoUnit.MILLIS).toString()))).exceptionally(e -> {
            log.debug("clock tick not published: {}", e.toString());
            return null;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
