package dev.herald.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.core.Hub;
import dev.herald.core.MemoryLog;
import dev.herald.core.Message;
import dev.herald.core.Selector;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlantTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-12-01T09:00:00Z");

    @Test
    void eachMeterReadsEverySecondAndRaisesThenClearsAnAlarmAroundItsThreshold() throws Exception {
        MemoryLog log = new MemoryLog();
        List<Message> stored = new ArrayList<>();
        Hub hub = new Hub(log, Runnable::run);
        log.listen(stored::addAll); // replaces the hub as listener: this test only reads what is stored
        Plant plant = new Plant(hub, 3, Clock.systemUTC(), 42);
        assertThat(plant.meters()).extracting(Plant.Meter::id).containsExactly("m-1", "m-2", "m-3");

        for (int s = 0; s <= 120; s++) {
            plant.tick(START.plusSeconds(s));
        }
        List<Message> readings = stored.stream().filter(m -> m.event().equals(Plant.READING)).toList();
        assertThat(readings).hasSize(121 * 3);
        JsonNode first = JSON.readTree(readings.get(0).data());
        assertThat(readings.get(0).topic().name()).isEqualTo("meters/m-1/reading");
        assertThat(first.get("meter").asText()).isEqualTo("m-1");
        assertThat(first.get("unit").asText()).isEqualTo("bar");
        assertThat(first.get("time").asText()).isEqualTo("2026-12-01T09:00:00Z");
        assertThat(first.get("value").isNumber()).isTrue();

        // Meter k first crosses its threshold about 4 + 9k seconds in; each alarm is cleared before the next.
        List<Message> m1 = log.read(List.of(Selector.of("alarms/m-1")), 0, 100).messages();
        assertThat(m1).extracting(Message::event).startsWith(Plant.ALARM, Plant.CLEAR);
        JsonNode alarm = JSON.readTree(m1.get(0).data());
        JsonNode clear = JSON.readTree(m1.get(1).data());
        assertThat(alarm.get("id").asText()).isEqualTo(clear.get("id").asText()).startsWith("m-1-");
        assertThat(alarm.get("value").asDouble()).isGreaterThan(alarm.get("threshold").asDouble());
        assertThat(clear.get("value").asDouble()).isLessThan(alarm.get("threshold").asDouble());
        long raisedAt = Instant.parse(alarm.get("time").asText()).getEpochSecond() - START.getEpochSecond();
        assertThat(raisedAt).isBetween(2L, 7L);
        for (String meter : List.of("m-2", "m-3")) {
            assertThat(log.read(List.of(Selector.of("alarms/" + meter)), 0, 100).messages())
                    .extracting(Message::event).first().isEqualTo(Plant.ALARM);
        }
    }
}
