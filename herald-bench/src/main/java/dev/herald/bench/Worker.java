package dev.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker process: a {@link LocalFleet} driven over stdin and stdout by {@link WorkerFleet} in the bench's
 * process. It reads a {@link WorkerTask} line, then the commands {@code away}, {@code back} and
 * {@code finish <Published JSON>}; it writes {@code progress <JSON>} lines five times a second, {@code away} once
 * its subscribers are gone, and {@code result <JSON>} (the histogram compressed inside) before it exits.
 * Its stdin closing, because the bench went away, ends it.
 */
public final class Worker {
    private Worker() {
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing but the protocol goes to the bench
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String first = in.readLine();
        if (first == null) {
            System.exit(2);
        }
        WorkerTask task = json.readValue(first, WorkerTask.class);
        LocalFleet fleet = new LocalFleet(task.options(), task.first(), task.count(), task.ramp(),
                EpochClock.calibrate());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "worker-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> send(out, "progress " + write(json, fleet.progress())),
                0, 200, TimeUnit.MILLISECONDS);
        fleet.start();
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("away")) {
                fleet.goAway();
                send(out, "away");
            } else if (line.equals("back")) {
                fleet.comeBack();
            } else if (line.startsWith("finish ")) {
                Published published = json.readValue(line.substring(7), Published.class);
                Fleet.Result result = fleet.finish(published);
                ticker.shutdownNow();
                ticker.awaitTermination(1, TimeUnit.SECONDS);
                send(out, "result " + write(json, result));
                System.exit(0);
            }
        }
        fleet.close();
        System.exit(1); // the bench went away
    }

    private static void send(PrintStream out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private static String write(ObjectMapper json, Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
