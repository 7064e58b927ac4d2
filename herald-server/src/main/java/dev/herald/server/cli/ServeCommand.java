package dev.herald.server.cli;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.ConfigLoader;
import dev.herald.server.config.HeraldConfig;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code herald serve}: runs the server until SIGTERM or SIGINT, then shuts down in order and exits 0. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves Herald. With no flags: port 8080, the embedded store under ./data.",
            "Precedence: flags, then HERALD_* environment variables (HERALD_SERVER_PORT for server.port), "
                + "then the config file, then defaults (see herald.example.yml)."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--port", description = "Port to listen on (server.port; default 8080; 0 picks a free one).")
    Integer port;

    @Option(names = "--host", description = "Address to listen on (server.host; default 0.0.0.0).")
    String host;

    @Option(names = "--data-dir", description = "Directory of the embedded store (store.dataDir; default ./data).")
    Path dataDir;

    @Option(names = "--store", description = "rocksdb (durable, the default) or memory (store.type).")
    String store;

    @Option(names = "--config", description = "A YAML config file; herald.example.yml documents every key.")
    Path config;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        if (port != null) {
            flags.put("server.port", port.toString());
        }
        if (host != null) {
            flags.put("server.host", host);
        }
        if (dataDir != null) {
            flags.put("store.dataDir", dataDir.toString());
        }
        if (store != null) {
            flags.put("store.type", store);
        }
        Optional<Path> file = Optional.ofNullable(config);
        if (file.isPresent() && !Files.isReadable(file.get())) {
            System.err.println("herald: --config " + file.get() + ": no such readable file");
            return 2;
        }
        HeraldConfig settings;
        try {
            settings = ConfigLoader.load(file, System.getenv(), flags);
        } catch (IllegalArgumentException e) {
            System.err.println("herald: " + e.getMessage());
            return 2;
        }
        HeraldServer server;
        try {
            server = HeraldServer.start(settings);
        } catch (java.io.UncheckedIOException e) {
            // The store cannot be opened (a locked data directory, an unreachable cluster Redis): say so once.
            System.err.println("herald: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stopped.countDown());
        Signal.handle(new Signal("INT"), s -> stopped.countDown());
        String where = settings.host().equals("0.0.0.0") || settings.host().equals("::")
                ? "localhost" : InetAddress.getByName(settings.host()).getHostAddress();
        String base = "http://" + where + ":" + server.port();
        System.out.println("Herald is serving on " + base + "/");
        if (settings.demo().chat()) {
            System.out.println("  chat:        " + base + "/chat");
        }
        if (settings.demo().plant()) {
            System.out.println("  dashboard:   " + base + "/dashboard");
        }
        if (settings.adminToken().isEmpty()) {
            // Made at this start: the operator can only learn it here. The fragment never reaches a server log.
            System.out.println("  admin:       " + base + "/admin#token=" + server.adminToken());
        } else {
            System.out.println("  admin:       " + base + "/admin (sign in with admin.token)");
        }
        System.out.println("  clock demo:  " + base + "/  or  curl -N '" + base + "/api/v1/stream?topic=demo/clock'");
        System.out.flush();
        stopped.await();
        server.close();
        return 0;
    }
}
