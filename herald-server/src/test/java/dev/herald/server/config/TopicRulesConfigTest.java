package dev.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.herald.core.Selector;
import dev.herald.core.Topic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topics, demo and admin sections. */
class TopicRulesConfigTest {
    @TempDir
    Path dir;

    private HeraldConfig load(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("herald.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(Optional.of(file), env, Map.of());
    }

    @Test
    void theDefaultsAreTheDemos() {
        HeraldConfig c = HeraldConfig.builder().build();
        assertThat(c.topics().latestValue()).containsExactly(Selector.of("meters/#"));
        assertThat(c.topics().stamped()).containsExactly(Selector.of("chat/#"), Selector.of("alarms/#"));
        assertThat(c.topics().presence()).containsExactly(Selector.of("chat/#"));
        assertThat(c.demo()).isEqualTo(new DemoSettings(true, true, 8));
        assertThat(c.adminToken()).isEmpty();
    }

    @Test
    void readsEveryKeyFromTheFileAndTheEnvironment() throws IOException {
        HeraldConfig c = load("""
                topics:
                  latestValue: ["prices/+", "positions/#"]
                  stamped: []
                  presence: ["rooms/+"]
                demo: {chat: false, plant: off, meters: 3}
                admin: {token: "0123456789abcdef0123"}
                """, Map.of());
        assertThat(c.topics().latestValue()).containsExactly(Selector.of("prices/+"), Selector.of("positions/#"));
        assertThat(c.topics().stamped()).isEmpty();
        assertThat(c.topics().presence()).containsExactly(Selector.of("rooms/+"));
        assertThat(c.demo()).isEqualTo(new DemoSettings(false, false, 3));
        assertThat(c.adminToken()).isEqualTo("0123456789abcdef0123");

        HeraldConfig env = load("", Map.of("HERALD_TOPICS_LATESTVALUE", "a/#, b/+", "HERALD_DEMO_METERS", "12",
                "HERALD_ADMIN_TOKEN", "from-the-environment-42"));
        assertThat(env.topics().latestValue()).containsExactly(Selector.of("a/#"), Selector.of("b/+"));
        assertThat(env.demo().meters()).isEqualTo(12);
        assertThat(env.adminToken()).isEqualTo("from-the-environment-42");
        assertThat(TopicRules.matching(env.topics().latestValue()).test(Topic.of("b/x"))).isTrue();
        assertThat(TopicRules.matching(List.of()).test(Topic.of("b/x"))).isFalse();
    }

    @Test
    void refusesWhatItCannotUseNamingTheKey() {
        assertThatIllegalArgumentException().isThrownBy(() -> load("topics: {latestValue: [\"a/#/b\"]}", Map.of()))
                .withMessageStartingWith("topics.latestValue: selector: 'a/#/b'");
        assertThatIllegalArgumentException().isThrownBy(() -> load("topics: {stamped: [1]}", Map.of()))
                .withMessageStartingWith("topics.stamped: 1");
        assertThatIllegalArgumentException().isThrownBy(() -> load("demo: {meters: 0}", Map.of()))
                .withMessage("demo.meters: 0 (expected: 1 to 64)");
        assertThatIllegalArgumentException().isThrownBy(() -> load("admin: {token: short}", Map.of()))
                .withMessageStartingWith("admin.token: 5 characters (expected: empty for a random one, or at least 16");
        assertThatIllegalArgumentException().isThrownBy(() -> load("topics: {latest: []}", Map.of()))
                .withMessageStartingWith("config: unknown key 'topics.latest'");
    }
}
