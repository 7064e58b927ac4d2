package dev.herald.server.contract;

import dev.herald.server.HeraldServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The transport contract on one node, in this JVM. */
class TransportContractIT extends TransportContract {
    private static HeraldServer server;
    private static String base;

    @BeforeAll
    static void start() {
        server = HeraldServer.start(config().build());
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    String base() {
        return base;
    }

    @Override
    String publish(String topic, String data) throws Exception {
        return signedPublish(base, topic, data);
    }
}
