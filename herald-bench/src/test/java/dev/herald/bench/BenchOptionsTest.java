package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchOptionsTest {
    static BenchOptions parse(String... args) {
        BenchCommand command = new BenchCommand();
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return command.options();
    }

    @Test
    void defaultsDriveHeraldOnLoopback() {
        BenchOptions o = parse();
        assertThat(o.resolve(o.subscribeUrl())).isEqualTo("http://127.0.0.1:8080/api/v1/stream?topic={topic}");
        assertThat(o.resolve(o.publishUrl())).isEqualTo("http://127.0.0.1:8080/api/v1/publish");
        assertThat(o.publishHeaders()).containsExactly("Content-Type: application/json");
        assertThat(o.processes()).isZero();
        assertThat(parse("-t", "poll").subscribeUrl()).contains("cursor={cursor}");
    }

    @Test
    void pastOneProcessTheSubscribersGoToWorkers() {
        assertThat(parse("-n", "18000").processes()).isZero();
        assertThat(parse("-n", "18001").processes()).isEqualTo(2);
        assertThat(parse("-n", "100000").processes()).isEqualTo(6);
        assertThat(parse("-n", "200", "--workers", "2").processes()).isEqualTo(2);
        assertThatThrownBy(() -> parse("-n", "40000", "--workers", "1"))
                .hasMessage("--workers: 1 (expected: at least 3 for 40000 subscribers at --max-per-process 18000)");
        assertThatThrownBy(() -> parse("--max-per-process", "20000"))
                .hasMessage("--max-per-process: 20000 (expected: 1 to 19000)");
    }

    @Test
    void onlyLoopbackIsATarget() {
        assertThatThrownBy(() -> parse("--base", "http://192.168.1.10:8080"))
                .hasMessageContaining("--base: 192.168.1.10 (expected: a loopback address");
        assertThatThrownBy(() -> parse("--publish-url", "http://10.0.0.1:5561/publish/"))
                .hasMessageContaining("expected: a loopback address");
        assertThatThrownBy(() -> parse("--first-source-address", "10.1.1.1"))
                .hasMessageContaining("--first-source-address");
        assertThat(parse("--base", "http://localhost:7999").base()).isEqualTo("http://localhost:7999");
    }

    @Test
    void boundsAreNamedWithTheirRange() {
        assertThatThrownBy(() -> parse("-n", "-1")).hasMessage("--subscribers: -1 (expected: 0 to 1000000)");
        assertThatThrownBy(() -> parse("-d", "7200")).hasMessage("--duration: 7200.0 (expected: 0.1 to 3600.0)");
        assertThatThrownBy(() -> parse("--topic-prefix", "a/b")).hasMessageContaining("--topic-prefix: a/b");
    }

    @Test
    void optionsTravelToWorkersAsJson() throws Exception {
        BenchOptions o = parse("-n", "300", "--topics", "3", "--server-pid", "1,2", "--catch-up");
        ObjectMapper json = new ObjectMapper();
        WorkerTask task = new WorkerTask(o, 100, 100, 50);
        assertThat(json.readValue(json.writeValueAsString(task), WorkerTask.class)).isEqualTo(task);
    }

    @Test
    void sourceAddressesFollowTheFirst() throws Exception {
        var first = java.net.InetAddress.getByName("127.0.0.2");
        assertThat(LocalFleet.offset(first, 0).getHostAddress()).isEqualTo("127.0.0.2");
        assertThat(LocalFleet.offset(first, 300).getHostAddress()).isEqualTo("127.0.1.46");
    }
}
