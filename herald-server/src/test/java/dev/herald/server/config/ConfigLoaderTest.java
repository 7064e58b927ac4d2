package dev.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.herald.core.Topic;
import dev.herald.store.SyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private HeraldConfig load(String yaml, Map<String, String> env, Map<String, String> flags) throws IOException {
        Path file = dir.resolve("herald.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(Optional.of(file), env, flags);
    }

    @Test
    void theExampleFileDocumentsExactlyTheDefaults() {
        Path example = Path.of(System.getProperty("user.dir")).getParent().resolve("herald.example.yml");
        HeraldConfig fromFile = ConfigLoader.load(Optional.of(example), Map.of(), Map.of());
        HeraldConfig defaults = ConfigLoader.load(Optional.empty(), Map.of(), Map.of());
        assertThat(fromFile).usingRecursiveComparison().ignoringFields("retention", "dataDir").isEqualTo(defaults);
        assertThat(fromFile.dataDir().normalize()).isEqualTo(defaults.dataDir().normalize());
        for (String topic : new String[] {"demo/clock", "chat/room-1"}) {
            assertThat(fromFile.retention().forTopic(Topic.of(topic)))
                    .isEqualTo(defaults.retention().forTopic(Topic.of(topic)));
        }
    }

    @Test
    void flagsOverrideEnvironmentWhichOverridesTheFile() throws IOException {
        String yaml = "server:\n  port: 9000\n  host: 127.0.0.1\nstore:\n  type: memory\n";
        assertThat(load(yaml, Map.of(), Map.of()).port()).isEqualTo(9000);
        assertThat(load(yaml, Map.of("HERALD_SERVER_PORT", "9100"), Map.of()).port()).isEqualTo(9100);
        HeraldConfig c = load(yaml, Map.of("HERALD_SERVER_PORT", "9100"), Map.of("server.port", "9200"));
        assertThat(c.port()).isEqualTo(9200);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.store()).isEqualTo(HeraldConfig.StoreType.MEMORY);
        assertThat(load("", Map.of("HERALD_STORE_DATADIR", "/var/lib/herald"), Map.of()).dataDir())
                .isEqualTo(Path.of("/var/lib/herald"));
    }

    @Test
    void readsEveryKind() throws IOException {
        HeraldConfig c = load("""
                store: {sync: none}
                retention:
                  count: 50
                  age: 2h
                  topics:
                    - {pattern: "meters/#", count: 5}
                sse: {heartbeat: 5s, retry: 0s}
                limits: {maxDataBytes: 1_000}
                demo: {clock: off}
                """, Map.of(), Map.of());
        assertThat(c.sync()).isEqualTo(SyncPolicy.NONE);
        assertThat(c.retention().forTopic(Topic.of("meters/m-1")).maxCount()).isEqualTo(5);
        assertThat(c.retention().forTopic(Topic.of("meters/m-1")).maxAge()).isEqualTo(Duration.ofHours(2));
        assertThat(c.retention().forTopic(Topic.of("chat/x")).maxCount()).isEqualTo(50);
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.retry()).isZero();
        assertThat(c.maxDataBytes()).isEqualTo(1000);
        assertThat(c.clockDemo()).isFalse();
    }

    @Test
    void badValuesNameTheKeyAndWhatWasExpected() throws Exception {
        assertThatIllegalArgumentException().isThrownBy(() -> load("server: {prot: 1}", Map.of(), Map.of()))
                .withMessageStartingWith("config: unknown key 'server.prot'");
        assertThatIllegalArgumentException().isThrownBy(() -> load("server: {port: 70000}", Map.of(), Map.of()))
                .withMessage("server.port: 70000 (expected: 0 to 65535)");
        assertThatIllegalArgumentException().isThrownBy(() -> load("server: {ioThreads: 1025}", Map.of(), Map.of()))
                .withMessage("server.ioThreads: 1025 (expected: 0 to 1024)");
        assertThat(load("server: {ioThreads: 1024}", Map.of(), Map.of()).ioThreads()).isEqualTo(1024);
        assertThatIllegalArgumentException().isThrownBy(() -> load("server: {port: eighty}", Map.of(), Map.of()))
                .withMessage("server.port: 'eighty' (expected: a whole number)");
        assertThatIllegalArgumentException().isThrownBy(() -> load("sse: {heartbeat: 45s}", Map.of(), Map.of()))
                .withMessageStartingWith("sse.heartbeat: 45s (expected: 1s to 40s");
        assertThatIllegalArgumentException().isThrownBy(() -> load("sse: {retry: soon}", Map.of(), Map.of()))
                .withMessageStartingWith("sse.retry: 'soon' (expected: a number and a unit");
        assertThatIllegalArgumentException().isThrownBy(() -> load("store: {type: disk}", Map.of(), Map.of()))
                .withMessage("store.type: 'disk' (expected: one of rocksdb, memory)");
        assertThatIllegalArgumentException().isThrownBy(() -> load("limits: {maxDataBytes: 0}", Map.of(), Map.of()))
                .withMessageStartingWith("limits.maxDataBytes: 0 (expected: 1 to");
        assertThatIllegalArgumentException().isThrownBy(() -> load(
                "retention: {topics: [{pattern: 'a/#/b'}]}", Map.of(), Map.of()))
                .withMessageStartingWith("retention.topics[0].pattern: selector: 'a/#/b'");
        assertThatIllegalArgumentException().isThrownBy(() -> load(
                "retention: {topics: [{pattern: a, keep: 1}]}", Map.of(), Map.of()))
                .withMessageContaining("unknown key 'keep'");
    }
}
