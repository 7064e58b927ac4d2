package dev.herald.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.herald.core.Appended;
import dev.herald.core.Draft;
import dev.herald.core.Retention;
import dev.herald.core.RetentionPolicy;
import dev.herald.core.Topic;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a JVM of its own by {@link RocksLogDurabilityTest}: appends from a few threads until it is killed,
 * printing {@code offset data} for each draft once its append was acknowledged.
 *
 * <p>Arguments: the data directory and a {@link SyncPolicy}.
 */
public final class CrashWriter {
    static final int THREADS = 4;

    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        RocksLog log = RocksLog.open(RocksLogOptions.builder(Path.of(args[0]))
                .sync(SyncPolicy.valueOf(args[1]))
                .retention(RetentionPolicy.of(new Retention(10_000_000, Duration.ofDays(3650))))
                .build());
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, UTF_8);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                for (int i = 0; ; i++) {
                    List<Draft> drafts = new ArrayList<>();
                    for (int j = 0; j <= i % 3; j++) {
                        drafts.add(Draft.of(Topic.of("crash/" + thread), "t" + thread + "-" + i + "-" + j));
                    }
                    List<Appended> done = log.append(drafts).join();
                    synchronized (out) {
                        for (Appended a : done) {
                            out.println(a.message().offset() + " " + a.message().data());
                        }
                        out.flush();
                    }
                }
            }, "appender-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
    }
}
