package dev.herald.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.herald.core.Selector;
import dev.herald.server.HeraldServer;
import dev.herald.server.auth.Access;
import dev.herald.server.auth.App;
import dev.herald.server.auth.Permissions;
import dev.herald.server.config.HeraldConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Node tests of the JS client ({@code web/test/*.test.mjs}: herald.js over SSE and long polling, publish, APP
 * signing, and the {@code eventsource} and {@code @microsoft/fetch-event-source} packages) against a real
 * in-process Herald, run by {@code node --test} with {@code HERALD_URL}, {@code HERALD_APP_KEY} and
 * {@code HERALD_APP_SECRET} set. Their output goes to {@code target/node-tests.log}, printed when they fail.
 */
class NodeClientsIT {
    private static final Path WEB = Path.of(System.getProperty("basedir", "."), "..", "web").toAbsolutePath()
            .normalize();
    private static final Path LOG = Path.of(System.getProperty("basedir", "."), "target", "node-tests.log");
    /** An app that may publish and subscribe to everything, for the tests to sign with. */
    private static final App TESTS = new App("node-tests", "HKNODETESTSAPPKEY001",
            "node-tests-secret-0123456789-abcdefghijk", new Permissions(List.of(Selector.of("#")), List.of(Selector.of("#"))), List.of(), 0, List.of());

    @Test
    void theNodeTestsOfTheJsClientPass() throws Exception {
        assertThat(WEB.resolve("node_modules")).as("web/node_modules: run ./test, which installs the npm packages of"
                + " web/package.json (or cd web && npm ci)").isDirectory();
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
        // The files themselves, not the folder: Node would take every .mjs under a test/ folder for a test file,
        // the shared helpers included.
        try (Stream<Path> files = Files.list(WEB.resolve("test"))) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".test.mjs")).sorted()
                    .forEach(n -> command.add("test/" + n));
        }

        HeraldConfig config = HeraldConfig.builder().port(0).host("127.0.0.1").memoryStore()
                .access(new Access(HeraldConfig.DEFAULT_ACCESS.publicTopics(), List.of(), List.of(TESTS))).build();
        try (HeraldServer server = HeraldServer.start(config)) {
            Files.createDirectories(LOG.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).directory(WEB.toFile()).redirectErrorStream(true)
                    .redirectOutput(LOG.toFile());
            builder.environment().put("HERALD_URL", "http://127.0.0.1:" + server.port());
            builder.environment().put("HERALD_APP_KEY", TESTS.key());
            builder.environment().put("HERALD_APP_SECRET", TESTS.secret());
            builder.environment().put("NO_COLOR", "1");
            Process node;
            try {
                node = builder.start();
            } catch (IOException e) {
                throw new AssertionError("Cannot run `node` (" + e.getMessage() + "). These tests need Node.js 20 or"
                        + " later on the PATH, which this machine image includes.", e);
            }
            if (!node.waitFor(5, TimeUnit.MINUTES)) {
                node.destroyForcibly();
                fail("node --test did not finish within 5 minutes:\n" + log());
            }
            String log = log();
            // The runner's closing summary (tests, pass, fail...) in the build's own output, always.
            log.lines().filter(l -> l.matches("^. (tests|suites|pass|fail|cancelled|skipped|todo) \\d+$"))
                    .forEach(l -> System.out.println("node --test: " + l.substring(2)));
            assertThat(node.exitValue()).as("node --test %s exited with failures; its output (%s):%n%s",
                    String.join(" ", command.subList(3, command.size())), LOG, log).isZero();
        }
    }

    private static String log() throws IOException {
        return Files.readString(LOG, StandardCharsets.UTF_8);
    }
}
