package dev.herald.server.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real nginx (Debian's {@code /usr/sbin/nginx}) in front of Herald nodes, as a child process on a free
 * loopback port, with its configuration, logs and temporary files in a directory of its own: round-robin over
 * the nodes, no sticky sessions, keep-alive connections to them, and {@code proxy_buffering on} (nginx's
 * default), so that only Herald's {@code X-Accel-Buffering: no} makes event streams flow. The configuration is
 * the one docs/cluster.md shows, with a short read timeout on event streams so that a test sees heartbeats
 * keep an idle stream open.
 */
public final class Nginx implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/nginx");
    /** How long nginx waits for a byte from a node on an event stream, here (60 s in docs/cluster.md). */
    public static final Duration STREAM_READ_TIMEOUT = Duration.ofSeconds(3);

    private final Path dir;
    private final int port;
    private final Process process;

    private Nginx(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Starts nginx in {@code dir} in front of the nodes on {@code upstreams} (loopback ports). */
    static Nginx start(Path dir, List<Integer> upstreams) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: run ./test, which installs Debian's nginx "
                    + "package (or: apt-get install nginx)");
        }
        Path temp = dir.resolve("temp");
        Files.createDirectories(temp);
        // Workers may run as another user than the master (nobody, when the tests run as root).
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, config(dir, port, upstreams));
        Process process = new ProcessBuilder(BINARY.toString(), "-p", dir.toString(), "-c", conf.toString(),
                "-e", dir.resolve("error.log").toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        Nginx nginx = new Nginx(dir, port, process);
        nginx.awaitListening(Duration.ofSeconds(10));
        return nginx;
    }

    private static String config(Path dir, int port, List<Integer> upstreams) {
        String servers = upstreams.stream().map(p -> "    server 127.0.0.1:" + p + " max_fails=1 fail_timeout=2s;")
                .collect(Collectors.joining("\n"));
        String temp = dir.resolve("temp").toString();
        return """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 1024; }
                http {
                  log_format upstream '$request_method $uri $status upstream=$upstream_addr';
                  access_log %1$s/access.log upstream;
                  client_body_temp_path %2$s/body;
                  proxy_temp_path %2$s/proxy;
                  fastcgi_temp_path %2$s/fastcgi;
                  uwsgi_temp_path %2$s/uwsgi;
                  scgi_temp_path %2$s/scgi;

                  upstream herald {
                %3$s
                    keepalive 16;
                  }

                  server {
                    listen 127.0.0.1:%4$d;

                    location / {
                      proxy_pass http://herald;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_set_header Host $http_host;
                      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                      proxy_buffering on;
                      proxy_read_timeout 60s;
                    }

                    location /api/v1/stream {
                      proxy_pass http://herald;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_set_header Host $http_host;
                      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                      proxy_buffering on;
                      proxy_read_timeout %5$ds;
                    }

                    location /api/v1/ws {
                      proxy_pass http://herald;
                      proxy_http_version 1.1;
                      proxy_set_header Upgrade $http_upgrade;
                      proxy_set_header Connection "upgrade";
                      proxy_set_header Host $http_host;
                      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                      proxy_read_timeout 60s;
                    }
                  }
                }
                """.formatted(dir, temp, servers, port, STREAM_READ_TIMEOUT.toSeconds());
    }

    private void awaitListening(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nginx exited with " + process.exitValue() + ": " + log("error.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("nginx not listening within " + timeout + ": " + log("error.log"));
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String base() {
        return "http://127.0.0.1:" + port;
    }

    /** The access log so far: one line per request, {@code METHOD /path STATUS upstream=127.0.0.1:PORT}. */
    public List<String> accessLog() throws IOException {
        Path file = dir.resolve("access.log");
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    String log(String name) {
        try {
            Path file = dir.resolve(name);
            String text = Files.exists(file) ? Files.readString(file) : "";
            return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM: nginx's fast shutdown, which ends its workers too; then SIGKILL if it lingers. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
