package dev.herald.server.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Herald as users run it: {@code java -jar herald.jar serve}, in its own process. Public for the cluster tests,
 * which start nodes with a configuration of their own ({@link #serve}).
 */
public final class ServerProcess implements AutoCloseable {
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
        Path config = logFile.resolveSibling("herald-open.yml");
        java.nio.file.Files.writeString(config, OPEN_CONFIG);
        List<String> args = new java.util.ArrayList<>(List.of("--data-dir", dataDir.toString(), "--config",
                config.toString()));
        args.addAll(List.of(extra));
        return launch(args, logFile);
    }

    /**
     * {@code herald serve --config <config>} on loopback and a free port, its output appended to
     * {@code logFile}; ready (its {@code /readyz} answered 200) when this returns.
     */
    public static ServerProcess serve(Path config, Path logFile) throws Exception {
        return launch(List.of("--config", config.toString()), logFile, 0);
    }

    /** {@link #serve(Path, Path)} on {@code port}: a node started again where it was. */
    public static ServerProcess serve(Path config, Path logFile, int port) throws Exception {
        return launch(List.of("--config", config.toString()), logFile, port);
    }

    private static ServerProcess launch(List<String> args, Path logFile) throws Exception {
        return launch(args, logFile, 0);
    }

    private static ServerProcess launch(List<String> args, Path logFile, int fixedPort) throws Exception {
        int port = fixedPort;
        if (port == 0) {
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
        }
        String jar = System.getProperty("herald.jar");
        if (jar == null || !new File(jar).isFile()) {
            throw new IllegalStateException("herald.jar not built: run the tests with mvn verify");
        }
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar,
                "serve", "--host", "127.0.0.1", "--port", Integer.toString(port)));
        command.addAll(args);
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

    public int port() {
        return port;
    }

    /** SIGKILL: no shutdown hook, no flush. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, and the exit code. */
    public int terminate() throws InterruptedException {
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
