package dev.herald.server.cluster;

import dev.herald.redis.RedisServer;
import dev.herald.server.it.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A cluster made of real parts: one {@code redis-server} (AOF, fsync on every write), two Herald nodes as
 * separate processes ({@code java -jar herald.jar serve}, with {@code cluster: redis://...} in their config
 * file), and nginx in front of them, round-robin without sticky sessions. Register it with
 * {@code @RegisterExtension}: on a static field it lives for the test class, on an instance field for each
 * test. Logs and data are kept under {@code target/cluster-tests/}, for a failure to be looked into.
 */
public final class TestCluster implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    /** Every node: no demo publishers, heartbeats each second, limits that requests through one proxy fit. */
    private static final String NODE_CONFIG = """
            cluster: %s
            demo: {clock: false, chat: false, plant: false}
            sse: {heartbeat: 1s, retry: 100ms}
            limits:
              requestsPerSecondPerIp: 1000000
              connectionsPerIp: 1000000
              newConnectionsPerSecondPerIp: 1000000
            """;

    private final String extraConfig;
    private final int nodeCount;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private boolean perTest;
    private Path dir;
    private Path config;
    private RedisServer redis;
    private final List<ServerProcess> nodes = new ArrayList<>();
    private Nginx nginx;

    private TestCluster(String extraConfig, int nodeCount) {
        this.extraConfig = extraConfig;
        this.nodeCount = nodeCount;
    }

    /**
     * Two nodes whose config file holds {@code yaml} besides what every node gets ({@code cluster}, no demos,
     * limits for a proxy); its sections must not repeat those.
     */
    public static TestCluster of(String yaml) {
        return new TestCluster(yaml, 2);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start(context.getRequiredTestClass().getSimpleName());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (redis == null) {
            perTest = true;
            start(context.getRequiredTestClass().getSimpleName() + "-" + context.getRequiredTestMethod().getName());
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (perTest) {
            stop();
        }
    }

    private void start(String name) throws Exception {
        Path root = Path.of("target", "cluster-tests").toAbsolutePath();
        Files.createDirectories(root);
        dir = Files.createTempDirectory(root, name + "-");
        redis = RedisServer.durable();
        redis.beforeAll(null);
        config = dir.resolve("node.yml");
        Files.writeString(config, NODE_CONFIG.formatted(redis.uri()) + extraConfig);
        for (int i = 0; i < nodeCount; i++) {
            nodes.add(ServerProcess.serve(config, dir.resolve("node-" + i + ".log")));
        }
        Path proxy = dir.resolve("nginx");
        Files.createDirectories(proxy);
        nginx = Nginx.start(proxy, nodes.stream().map(ServerProcess::port).toList());
    }

    private void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        for (ServerProcess node : nodes) {
            node.close();
        }
        nodes.clear();
        if (redis != null) {
            redis.afterAll(null);
            redis = null;
        }
    }

    /** nginx: where clients go. */
    public String base() {
        return nginx.base();
    }

    public Nginx nginx() {
        return nginx;
    }

    public RedisServer redis() {
        return redis;
    }

    /** A node's own address, past nginx. */
    public String node(int i) {
        return "http://127.0.0.1:" + nodes.get(i).port();
    }

    public int nodePort(int i) {
        return nodes.get(i).port();
    }

    /** SIGKILL of node {@code i}, as a crash. */
    public void kill(int i) throws InterruptedException {
        nodes.get(i).kill();
    }

    /** Starts node {@code i} again on its port, where nginx finds it again. */
    public void restart(int i) throws Exception {
        int port = nodes.get(i).port();
        nodes.get(i).close();
        nodes.set(i, ServerProcess.serve(config, dir.resolve("node-" + i + ".log"), port));
    }

    /** GET {@code url}: its status. */
    public int status(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The tail of a node's log, for an assertion's message. */
    public String nodeLog(int i) {
        try {
            String text = Files.readString(dir.resolve("node-" + i + ".log"));
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
