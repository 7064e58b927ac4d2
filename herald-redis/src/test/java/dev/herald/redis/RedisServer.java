package dev.herald.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} process for the tests of a class, on a free loopback port, with its data in a
 * directory of its own. Register it as a static field with {@code @RegisterExtension}: it starts before the
 * class's tests and is killed after them. {@link #stop()} and {@link #start()} let a test take it away and
 * bring it back with the same port and directory (so, when {@link #durable()}, with the same data).
 *
 * <p>Public, in the test jar, for the server module's cluster tests. Outside JUnit's lifecycle (a fixture made
 * per test), {@link #beforeAll} and {@link #afterAll} may be called with {@code null}.
 */
public final class RedisServer implements BeforeAllCallback, AfterAllCallback {
    static final Path BINARY = Path.of("/usr/bin/redis-server");

    private final boolean durable;
    private final RedisServer monitored; // for a sentinel: the primary it watches
    private Path dir;
    private int port;
    private Process process;

    private RedisServer(boolean durable, RedisServer monitored) {
        this.durable = durable;
        this.monitored = monitored;
    }

    /** No persistence: a restart loses everything. */
    public static RedisServer ephemeral() {
        return new RedisServer(false, null);
    }

    /** AOF with a sync before every reply: a kill loses nothing Redis acknowledged. */
    public static RedisServer durable() {
        return new RedisServer(true, null);
    }

    /**
     * A Sentinel ({@code redis-server --sentinel}) watching {@code primary} as the master named
     * {@value #SENTINEL_MASTER}; register it after the primary, so that it starts after it.
     */
    static RedisServer sentinel(RedisServer primary) {
        return new RedisServer(false, primary);
    }

    static final String SENTINEL_MASTER = "herald";

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: run ./test, which installs Debian's "
                    + "redis-server package (or: apt-get install redis-server)");
        }
        dir = Files.createTempDirectory("herald-redis-");
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            try {
                start();
                return;
            } catch (IllegalStateException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        kill();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** {@code redis://127.0.0.1:<port>}; for a sentinel, the URI of the primary it names. */
    public String uri() {
        return monitored == null ? "redis://127.0.0.1:" + port
                : "redis-sentinel://127.0.0.1:" + port + "#" + SENTINEL_MASTER;
    }

    public int port() {
        return port;
    }

    /** Starts the server (again), and waits until it answers PING. */
    public void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>();
        if (monitored != null) {
            Path conf = dir.resolve("sentinel.conf"); // a sentinel rewrites its file: one of its own
            try {
                Files.writeString(conf, "sentinel monitor " + SENTINEL_MASTER + " 127.0.0.1 " + monitored.port()
                        + " 1\nsentinel down-after-milliseconds " + SENTINEL_MASTER + " 5000\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            command.addAll(List.of(BINARY.toString(), conf.toString(), "--sentinel"));
        } else {
            command.add(BINARY.toString());
        }
        command.addAll(List.of("--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no",
                "--protected-mode", "yes", "--logfile", dir.resolve("redis.log").toString()));
        if (monitored == null) {
            command.addAll(List.of("--save", ""));
            command.addAll(durable ? List.of("--appendonly", "yes", "--appendfsync", "always")
                    : List.of("--appendonly", "no"));
        }
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                break;
            }
            if (pings()) {
                return;
            }
            sleep(20);
        }
        kill();
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING: " + logTail());
    }

    /** Freezes (SIGSTOP) or thaws (SIGCONT) the server: it keeps its connections but answers nothing. */
    public void freeze(boolean frozen) {
        try {
            new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", Long.toString(process.pid())).inheritIO().start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the server at once (SIGKILL), as a crash would. */
    public void stop() {
        kill();
    }

    private void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /**
     * Runs one command on a connection of its own and returns the answer: a String (simple or bulk), a Long,
     * a List of those, or null.
     */
    public Object call(String... args) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(5000);
            StringBuilder req = new StringBuilder("*" + args.length + "\r\n");
            for (String a : args) {
                req.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a)
                        .append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply(new java.io.BufferedInputStream(s.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object reply(InputStream in) throws IOException {
        String line = line(in);
        switch (line.charAt(0)) {
            case '+':
                return line.substring(1);
            case '-':
                throw new IllegalStateException("Redis error: " + line.substring(1));
            case ':':
                return Long.parseLong(line.substring(1));
            case '$': {
                int n = Integer.parseInt(line.substring(1));
                if (n < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(n + 2);
                return new String(b, 0, n, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line.substring(1));
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(reply(in));
                }
                return items;
            }
            default:
                throw new IOException("not RESP: " + line);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private boolean pings() {
        try {
            return "PONG".equals(call("PING"));
        } catch (UncheckedIOException | IllegalStateException e) {
            return false;
        }
    }

    private String logTail() {
        try {
            Path log = dir.resolve("redis.log");
            String text = Files.exists(log) ? Files.readString(log) : "";
            text += Files.readString(dir.resolve("stdout.log"));
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
