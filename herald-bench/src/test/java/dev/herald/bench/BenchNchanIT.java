package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The bench against a real nchan (Debian's nginx and libnginx-mod-nchan, which {@code ./test} installs), with the
 * configuration bench/compare.sh runs ({@code bench/nchan.conf}): the peer's API spoken through the templates,
 * over event streams and over its long polling (HTTP conditional requests).
 */
class BenchNchanIT {
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Path MODULE = Path.of("/usr/lib/nginx/modules/ngx_nchan_module.so");

    @TempDir
    static Path dir;
    private static Process nginx;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        assertThat(NGINX).as("nginx: run ./test, which installs Debian's nginx").isExecutable();
        assertThat(MODULE).as("nchan: run ./test, which installs Debian's libnginx-mod-nchan").exists();
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        // Workers may run as another user than the master (nobody, when the tests run as root).
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, Files.readString(Path.of(System.getProperty("basedir", "."), "..", "bench",
                "nchan.conf")).replace("@RUN@", dir.toString()).replace("@PORT@", Integer.toString(port)));
        nginx = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", conf.toString(),
                "-e", dir.resolve("error.log").toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!listening()) {
            assertThat(nginx.isAlive()).as("nginx exited: %s", Files.readString(dir.resolve("stdout.log"))).isTrue();
            assertThat(System.nanoTime()).as("nginx listening within 10 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (nginx != null) {
            nginx.destroy();
            nginx.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static JsonNode bench(String... args) {
        List<String> all = new ArrayList<>(List.of("--server-name", "nchan", "--base", "http://127.0.0.1:" + port,
                "--progress", "off", "--settle", "0.5", "--drain", "8", "--source-addresses", "4",
                "--publish-url", "/pub?id={topic}", "--publish-body", "{data}",
                "--publish-header", "Content-Type: text/plain", "--subscribe-url", "/sub/{topic}"));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        int code = new CommandLine(new BenchCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(out)).execute(all.toArray(String[]::new));
        assertThat(code).as(out.toString()).isZero();
        try {
            return new ObjectMapper().readTree(out.toString());
        } catch (IOException e) {
            throw new AssertionError(out.toString(), e);
        }
    }

    @Test
    void eventStreamSubscribersGetEveryMessageOnceInOrder() {
        JsonNode s = bench("--topic-prefix", "sse", "-n", "100", "--topics", "2", "--rate", "40", "-d", "1");
        BenchSmokeIT.assertEverythingDeliveredOnceInOrder(s, 100);
        assertThat(s.at("/server").asText()).isEqualTo("nchan");
    }

    @Test
    void conditionalLongPollersGetEveryMessageOnceInOrder() {
        JsonNode s = bench("--topic-prefix", "poll", "-t", "poll", "--poll-protocol", "conditional", "-n", "100",
                "--topics", "2", "--rate", "40", "-d", "1");
        BenchSmokeIT.assertEverythingDeliveredOnceInOrder(s, 100);
    }
}
