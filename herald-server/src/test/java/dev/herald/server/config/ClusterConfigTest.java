package dev.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigTest {
    @TempDir
    Path dir;

    private HeraldConfig load(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("herald.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(Optional.of(file), env, Map.of());
    }

    @Test
    void noClusterByDefaultNorWhenTheKeyIsEmpty() throws IOException {
        assertThat(ConfigLoader.load(Optional.empty(), Map.of(), Map.of()).cluster()).isEqualTo(Cluster.NONE);
        assertThat(load("cluster:\n", Map.of()).cluster().isEnabled()).isFalse();
        assertThat(load("cluster: \"\"\n", Map.of()).cluster().isEnabled()).isFalse();
    }

    @Test
    void takesRedisRedissAndSentinelUrisFromTheFileOrTheEnvironment() throws IOException {
        assertThat(load("cluster: redis://redis.internal:6380/1\n", Map.of()).cluster().server())
                .isEqualTo("redis://redis.internal:6380/1");
        assertThat(load("", Map.of("HERALD_CLUSTER", "rediss://:pw@redis.internal")).cluster().server())
                .isEqualTo("rediss://redis.internal:6379/0");
        Cluster sentinel = load("cluster: \"redis-sentinel://s1:26379,s2:26379#herald\"\n", Map.of()).cluster();
        assertThat(sentinel.isEnabled()).isTrue();
        assertThat(sentinel.server()).isEqualTo("redis-sentinel://s1:26379,s2:26379/0#herald");
    }

    @Test
    void thePasswordNeverShowsInTheConfigurationNorInItsRefusals() throws IOException {
        HeraldConfig c = load("cluster: redis://:s3cret@redis.internal:6379\n", Map.of());
        assertThat(c.cluster().uri()).contains("s3cret"); // what the log connects with
        assertThat(c.toString()).doesNotContain("s3cret").contains("Cluster{redis://redis.internal:6379/0}");
        assertThatIllegalArgumentException().isThrownBy(() -> load("cluster: http://:s3cret@redis.internal\n",
                Map.of())).withMessageStartingWith("cluster: 'http://***@redis.internal' (expected: redis://")
                .withMessageNotContaining("s3cret");
        assertThatIllegalArgumentException().isThrownBy(() -> load("cluster: redis-sentinel://s1:26379\n",
                Map.of())).withMessageStartingWith("cluster: 'redis-sentinel://s1:26379' cannot be read");
    }
}
