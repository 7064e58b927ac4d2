package dev.herald.server.demo;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.Draft;
import dev.herald.core.Hub;
import dev.herald.core.Message;
import dev.herald.core.Selector;
import dev.herald.core.Topic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated plant: {@code N} meters, each publishing a reading every second on {@code meters/<id>/reading}
 * (event {@code reading}, data {@code {"meter":"m-1","value":7.93,"unit":"bar","time":"..."}}), and raising an
 * alarm on {@code alarms/<id>} when its reading goes above its threshold (event {@code alarm}, data
 * {@code {"id":"m-1-...","meter":"m-1","name":...,"value":...,"threshold":...,"unit":...,"time":...}}) and
 * clearing it once the reading is back under the threshold by a margin (event {@code clear}, data with the same
 * {@code id}). Dashboards acknowledge an alarm by publishing an {@code ack} event with the alarm's id as data on
 * the same topic; the plant itself does not read them.
 *
 * <p>Each meter swings around its base value with its own period, plus noise; meter {@code k} (from 0) first
 * crosses its threshold about {@code 4 + 9k} seconds after the start, so a new dashboard soon has alarms to show.
 * Each tick is one publish of every reading and alarm change: one group commit.
 */
public final class Plant implements AutoCloseable {
    /** Topics a dashboard reads without credentials while the plant runs. */
    public static final List<String> PUBLIC_TOPICS = List.of("meters/#", "alarms/#");
    public static final String READING = "reading";
    public static final String ALARM = "alarm";
    public static final String CLEAR = "clear";
    public static final String ACK = "ack";
    private static final Logger log = LoggerFactory.getLogger(Plant.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Kind(String name, String unit, double base, double amplitude, double min, double max,
            int decimals) {
    }

    private static final List<Kind> KINDS = List.of(
            new Kind("Boiler pressure", "bar", 6, 3, 0, 12, 2),
            new Kind("Line power", "kW", 400, 200, 0, 800, 1),
            new Kind("Coolant temperature", "°C", 60, 25, 20, 100, 1),
            new Kind("Flow rate", "m³/h", 120, 60, 0, 240, 1),
            new Kind("Pump vibration", "mm/s", 4, 3, 0, 10, 2),
            new Kind("Tank level", "%", 55, 35, 0, 100, 1),
            new Kind("Compressor current", "A", 32, 14, 0, 60, 1),
            new Kind("Exhaust CO₂", "ppm", 700, 400, 0, 1400, 0));
    /** Where the threshold lies in the swing: above it for about a fifth of each period. */
    private static final double THRESHOLD_AT = 0.8;
    private static final double HYSTERESIS = 0.05;
    private static final double NOISE = 0.03;

    /**
     * One meter, as a dashboard lays it out.
     *
     * @param min the low end of its chart's scale
     * @param max the high end of its chart's scale
     */
    public record Meter(String id, String name, String unit, double threshold, double min, double max) {
        public Topic readings() {
            return Topic.of("meters/" + id + "/reading");
        }

        public Topic alarms() {
            return Topic.of("alarms/" + id);
        }
    }

    private static final class State {
        final Meter meter;
        final Kind kind;
        final double periodSeconds;
        final double phase;
        String alarm; // the id of the alarm raised and not cleared, if any

        State(Meter meter, Kind kind, double periodSeconds, double phase) {
            this.meter = meter;
            this.kind = kind;
            this.periodSeconds = periodSeconds;
            this.phase = phase;
        }
    }

    private final Hub hub;
    private final Clock clock;
    private final List<State> states = new ArrayList<>();
    private final SplittableRandom random;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "herald-plant");
        t.setDaemon(true);
        return t;
    });
    private Instant started;

    /**
     * @param meters how many meters, 1 to 64
     * @param seed the noise's seed
     */
    public Plant(Hub hub, int meters, Clock clock, long seed) {
        this.hub = requireNonNull(hub, "hub");
        this.clock = requireNonNull(clock, "clock");
        this.random = new SplittableRandom(seed);
        for (int k = 0; k < meters; k++) {
            Kind kind = KINDS.get(k % KINDS.size());
            int round = k / KINDS.size();
            String name = round == 0 ? kind.name() : kind.name() + " " + (round + 1);
            double threshold = round(kind.base() + THRESHOLD_AT * kind.amplitude(), kind.decimals());
            double period = 60 + 23 * k;
            // Crosses the threshold (with the noise's margin) 4 + 9k seconds after the start.
            double phase = Math.asin(THRESHOLD_AT + HYSTERESIS) - 2 * Math.PI * (4 + 9 * k) / period;
            states.add(new State(new Meter("m-" + (k + 1), name, kind.unit(), threshold, kind.min(), kind.max()), kind,
                    period, phase));
        }
    }

    /** The meters, in order. */
    public List<Meter> meters() {
        return states.stream().map(s -> s.meter).toList();
    }

    /** Clears what a previous run left raised, then publishes a tick now and every second. */
    public void start() {
        started = clock.instant();
        timer.execute(this::clearLeftovers);
        timer.scheduleAtFixedRate(() -> {
            try {
                tick(clock.instant());
            } catch (RuntimeException e) {
                log.error("plant tick failed", e);
            }
        }, 0, 1000, TimeUnit.MILLISECONDS);
    }

    /**
     * An alarm raised by an earlier run of the plant (before a restart) would stay raised on every dashboard:
     * the plant that raised it is gone. Clears each one. Reads the log: runs on the plant's own thread.
     */
    private void clearLeftovers() {
        List<Draft> clears = new ArrayList<>();
        String time = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
        for (State s : states) {
            try {
                List<Message> last = hub.log().last(List.of(Selector.of(s.meter.alarms())), 1);
                if (!last.isEmpty() && last.get(0).event().equals(ALARM)) {
                    String id = JSON.readTree(last.get(0).data()).path("id").asText("");
                    ObjectNode clear = JsonNodeFactory.instance.objectNode();
                    clear.put("id", id);
                    clear.put("meter", s.meter.id());
                    clear.put("time", time);
                    clear.put("reason", "the plant restarted");
                    clears.add(new Draft(s.meter.alarms(), CLEAR, clear.toString(), ""));
                }
            } catch (RuntimeException | JsonProcessingException e) {
                log.debug("could not check {} for an alarm left raised: {}", s.meter.alarms(), e.toString());
            }
        }
        if (!clears.isEmpty() && hub.log().isWritable()) {
            hub.publish(clears).exceptionally(e -> null);
        }
    }

    /** One tick at {@code now}: every meter's reading and the alarms it raises or clears, as one publish. */
    void tick(Instant now) {
        if (started == null) {
            started = now;
        }
        if (!hub.log().isWritable()) {
            return;
        }
        double t = Duration.between(started, now).toMillis() / 1000.0;
        String time = now.truncatedTo(ChronoUnit.MILLIS).toString();
        List<Draft> drafts = new ArrayList<>(states.size() + 2);
        for (State s : states) {
            Kind kind = s.kind;
            double swing = Math.sin(2 * Math.PI * t / s.periodSeconds + s.phase);
            double value = round(kind.base() + kind.amplitude() * (swing + NOISE * (2 * random.nextDouble() - 1)),
                    kind.decimals());
            Meter meter = s.meter;
            ObjectNode reading = JsonNodeFactory.instance.objectNode();
            reading.put("meter", meter.id());
            reading.put("value", value);
            reading.put("unit", meter.unit());
            reading.put("time", time);
            drafts.add(new Draft(meter.readings(), READING, reading.toString(), ""));
            if (s.alarm == null && value > meter.threshold()) {
                s.alarm = meter.id() + "-" + now.toEpochMilli();
                ObjectNode alarm = JsonNodeFactory.instance.objectNode();
                alarm.put("id", s.alarm);
                alarm.put("meter", meter.id());
                alarm.put("name", meter.name());
                alarm.put("value", value);
                alarm.put("threshold", meter.threshold());
                alarm.put("unit", meter.unit());
                alarm.put("time", time);
                drafts.add(new Draft(meter.alarms(), ALARM, alarm.toString(), ""));
            } else if (s.alarm != null && value < meter.threshold() - HYSTERESIS * kind.amplitude()) {
                ObjectNode clear = JsonNodeFactory.instance.objectNode();
                clear.put("id", s.alarm);
                clear.put("meter", meter.id());
                clear.put("value", value);
                clear.put("time", time);
                drafts.add(new Draft(meter.alarms(), CLEAR, clear.toString(), ""));
                s.alarm = null;
            }
        }
        hub.publish(drafts).exceptionally(e -> {
            log.debug("plant tick not published: {}", e.toString());
            return null;
        });
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
