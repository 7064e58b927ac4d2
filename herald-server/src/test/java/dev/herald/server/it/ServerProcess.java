package dev.herald.server.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Herald as users run it: {@code java -jar herald.jar serve}, in its own process. */
final class ServerProcess implements AutoCloseable {
    final Process process;
    final int port;
    final Http http;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
        this.http = new Http(port);
    }

    /** Every topic public and no request rate to speak of: these tests are about the process, not the gateway. */
    private static final String OPEN_CONFIG = """
            access:
              public: {publish: ["#"], subscribe: ["#"]}
            limits:
              requestsPerSecondPerIp: 1000000
            """;

    static ServerProcess start(Path dataDir, Path logFile, String... extra) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String jar = System.getProperty("herald.jar");
        if (jar == null || !new File(jar).isFile()) {
            throw new IllegalStateException("herald.jar not built: run the tests with mvn verify");
        }
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar,
                "serve", "--host", "127.0.0.1", "--port", Integer.toString(port), "--data-dir", dataDir.toString()));
        Path config = logFile.resolveSibling("herald-open.yml");
        java.nio.file.Files.writeString(config, OPEN_CONFIG);
        command.addAll(List.of("--config", config.toString()));
        command.addAll(List.of(extra));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        ServerProcess server = new ServerProcess(process, port);
        server.awaitReady(Duration.ofSeconds(30));
        return server;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("herald exited with " + process.exitValue());
            }
            try {
                if (http.get("/readyz").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("herald not ready within " + timeout);
    }

    /** SIGKILL: no shutdown hook, no flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, and the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("herald did not exit within 20 s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
