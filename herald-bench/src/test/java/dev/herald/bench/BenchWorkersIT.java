package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.HeraldConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Subscribers spread over two worker processes: their progress, accounting and histograms come back merged. */
@ExtendWith(LeakDetection.class)
class BenchWorkersIT {
    private static HeraldServer server;

    @BeforeAll
    static void start() {
        server = HeraldServer.start(HeraldConfig.builder().port(0).host("127.0.0.1").memoryStore().everythingPublic()
                .requestsPerSecondPerIp(1_000_000).connectionsPerIp(100_000).newConnectionsPerSecondPerIp(100_000)
                .build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void twoWorkersReportAsOne() throws Exception {
        JsonNode s = BenchSmokeIT.benchAgainst(server, "-n", "100", "--workers", "2", "--topics", "3",
                "--rate", "60", "-d", "1", "--worker-java-options", "-Xmx128m -XX:TieredStopAtLevel=1");
        BenchSmokeIT.assertEverythingDeliveredOnceInOrder(s, 100);
        assertThat(s.at("/subscribers/processes").asInt()).isEqualTo(2);
    }

    @Test
    void catchUpComesBackFromTheCursor() throws Exception {
        JsonNode s = BenchSmokeIT.benchAgainst(server, "-n", "20", "--catch-up", "--rate", "0", "--messages",
                "500", "-d", "5");
        BenchSmokeIT.assertEverythingDeliveredOnceInOrder(s, 20);
        assertThat(s.at("/catchUp/messagesPerSecond").asDouble()).isPositive();
    }
}
