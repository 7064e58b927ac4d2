package dev.herald.bench;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * One run, step by step: measure the idle server, connect the subscribers (in this process or in workers), let
 * them settle, measure again, publish for the duration, wait for the last deliveries, measure, and account. With
 * {@code --catch-up} the subscribers go away before publishing and come back from their cursors after it.
 * Every wait is bounded, so a run ends however the server behaves.
 */
final class Bench {
    private final BenchOptions options;
    private final PrintStream err;
    private final EpochClock clock = EpochClock.calibrate();
    private final ServerProbe probe;
    private final ProgressLine progress;
    private final List<Fleet> fleets = new ArrayList<>();
    private long rssMax;
    private long lastSample;
    private String phase = "connect";
    private double phaseDone;
    private long published;

    Bench(BenchOptions options, PrintStream err) {
        this.options = options;
        this.err = err;
        this.probe = new ServerProbe(options.serverPids());
        this.progress = new ProgressLine(err, options.progress());
    }

    Summary run() {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        ServerProbe.Sample before = sample();
        try {
            createFleets();
            fleets.forEach(Fleet::start);
            int n = options.subscribers();
            // Connecting may take twice the ramp's time, plus time for the slowest handshakes and retries.
            long rampBudget = (long) ((n / options.ramp() * 2 + 15) * 1e9);
            waitUntil(() -> total().settled() >= n, rampBudget, () -> phaseDone = n == 0 ? 1 : total().settled() / (double) n);
            phase = "settle";
            sleep((long) (options.settle() * 1e9));
            ServerProbe.Sample connected = sample();
            long connectedCount = total().connected();

            if (options.catchUp()) {
                phase = "away";
                fleets.forEach(Fleet::goAway);
            }
            phase = "publish";
            ServerProbe.Sample publishStart = sample();
            long publishStartMicros = clock.nowMicros();
            Publisher publisher = new Publisher(options, clock);
            var running = publisher.run();
            long duration = (long) (options.duration() * 1e9);
            long startNanos = System.nanoTime();
            waitUntil(running::isDone, duration + (long) ((Math.max(5, options.drain()) + 5) * 1e9),
                    () -> {
                        phaseDone = (System.nanoTime() - startNanos) / (double) duration;
                        published = publisher.sent();
                    });
            Publisher.Result pub;
            try {
                pub = running.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("publishing failed: " + e.getCause(), e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("publishing did not end within its bound", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            published = pub.sent();

            if (options.catchUp()) {
                phase = "back";
                fleets.forEach(Fleet::comeBack);
            }
            phase = "drain";
            long owed = owed(pub.published());
            drain(owed);
            ServerProbe.Sample after = sample();
            progress.finish();

            List<Fleet.Result> results = new ArrayList<>();
            for (Fleet f : fleets) {
                results.add(f.finish(pub.published()));
            }
            return summarize(started, t0, before, connected, connectedCount, publishStart, after,
                    publishStartMicros, pub, results);
        } finally {
            progress.finish();
            fleets.forEach(Fleet::close);
        }
    }

    private void createFleets() {
        int n = options.subscribers();
        int processes = options.processes();
        if (processes == 0) {
            fleets.add(new LocalFleet(options, 0, n, options.ramp(), clock));
            return;
        }
        int first = 0;
        for (int w = 0; w < processes; w++) {
            int count = n / processes + (w < n % processes ? 1 : 0);
            fleets.add(new WorkerFleet(options, first, count, options.ramp() / processes));
            first += count;
        }
    }

    /** Deliveries owed if every subscriber connected: each gets every acknowledged message of its topic. */
    private long owed(Published p) {
        long owed = 0;
        int n = options.subscribers();
        for (int t = 0; t < options.topics(); t++) {
            long subscribersOfTopic = n / options.topics() + (t < n % options.topics() ? 1 : 0);
            owed += subscribersOfTopic * (p.lastOf(t) - p.failedOf(t).size());
        }
        return owed;
    }

    /** Waits for the last deliveries: until all owed arrived, nothing arrived for two seconds, or the drain limit. */
    private void drain(long owed) {
        long deadline = System.nanoTime() + (long) (options.drain() * 1e9);
        long lastCount = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long delivered = total().delivered();
            phaseDone = owed == 0 ? 1 : delivered / (double) owed;
            if (delivered >= owed) {
                return;
            }
            if (delivered != lastCount) {
                lastCount = delivered;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > 2_000_000_000L) {
                return;
            }
            tick();
        }
    }

    private Fleet.Progress total() {
        Fleet.Progress p = Fleet.Progress.NONE;
        for (Fleet f : fleets) {
            p = p.plus(f.progress());
        }
        return p;
    }

    private void waitUntil(BooleanSupplier condition, long budgetNanos, Runnable measure) {
        long deadline = System.nanoTime() + budgetNanos;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            measure.run();
            tick();
        }
    }

    private void sleep(long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (System.nanoTime() < deadline) {
            tick();
        }
    }

    /** A tenth of a second: redraw the progress, and sample the server once a second. */
    private void tick() {
        progress.update(phase, phaseDone, total(), options.subscribers(), published);
        if (System.nanoTime() - lastSample > 1_000_000_000L) {
            sample();
        }
        try {
            TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private ServerProbe.Sample sample() {
        lastSample = System.nanoTime();
        ServerProbe.Sample s = probe.sample();
        rssMax = Math.max(rssMax, s.rssKiB());
        return s;
    }

    private Summary summarize(Instant started, long t0, ServerProbe.Sample before, ServerProbe.Sample connected,
            long connectedCount, ServerProbe.Sample publishStart, ServerProbe.Sample after, long publishStartMicros,
            Publisher.Result pub, List<Fleet.Result> results) {
        Histogram latency = Histograms.micros();
        long everConnected = 0;
        long failed = 0;
        long disconnects = 0;
        long reconnects = 0;
        long expected = 0;
        long delivered = 0;
        long lost = 0;
        long duplicated = 0;
        long reordered = 0;
        long unparsed = 0;
        long other = 0;
        long firstAttempt = Long.MAX_VALUE;
        long lastConnect = 0;
        long comeBack = 0;
        long lastDelivery = 0;
        List<String> errors = new ArrayList<>(pub.errors());
        for (Fleet.Result r : results) {
            latency.add(Histograms.decode(r.latency()));
            everConnected += r.connected();
            failed += r.failed();
            disconnects += r.disconnects();
            reconnects += r.reconnects();
            expected += r.expected();
            delivered += r.delivered();
            lost += r.lost();
            duplicated += r.duplicated();
            reordered += r.reordered();
            unparsed += r.unparsed();
            other += r.otherEvents();
            firstAttempt = Math.min(firstAttempt, r.firstAttemptMicros());
            lastConnect = Math.max(lastConnect, r.lastConnectMicros());
            comeBack = Math.max(comeBack, r.comeBackMicros());
            lastDelivery = Math.max(lastDelivery, r.lastDeliveryMicros());
            for (String e : r.errors()) {
                if (errors.size() < 20) {
                    errors.add(e);
                }
            }
        }
        double rampSeconds = lastConnect > 0 && firstAttempt < Long.MAX_VALUE ? (lastConnect - firstAttempt) / 1e6 : 0;
        double publishSeconds = pub.lastAckNanos() > pub.firstNanos() ? (pub.lastAckNanos() - pub.firstNanos()) / 1e9 : 0;
        double deliverySeconds = lastDelivery > publishStartMicros ? (lastDelivery - publishStartMicros) / 1e6 : 0;
        Summary.CatchUp catchUp = null;
        if (options.catchUp()) {
            double s = lastDelivery > comeBack && comeBack > 0 ? (lastDelivery - comeBack) / 1e6 : 0;
            catchUp = new Summary.CatchUp(round(s), s > 0 ? round(delivered / s) : 0);
        }
        Summary.ServerStats server = null;
        if (probe.enabled()) {
            double perConnection = connectedCount > 0
                    ? (connected.rssKiB() - before.rssKiB()) / (double) connectedCount : 0;
            server = new Summary.ServerStats(after.pids(), before.rssKiB(), connected.rssKiB(), after.rssKiB(),
                    rssMax, round(perConnection), round(after.cpuSeconds() - publishStart.cpuSeconds()),
                    round(after.cpuSeconds() - before.cpuSeconds()));
        }
        return new Summary(options.label(), options.server(), options.transport().name().toLowerCase(),
                started.toString(), round((System.nanoTime() - t0) / 1e9),
                new Summary.Subscribers(options.subscribers(), everConnected, failed, disconnects, reconnects,
                        options.processes(), Math.min(options.sourceAddresses(), Math.max(1, options.subscribers())),
                        round(rampSeconds)),
                new Summary.Publish(options.rate(), pub.sent(), pub.acked(), pub.failed(), pub.skipped(),
                        publishSeconds > 0 ? round(pub.acked() / publishSeconds) : 0, pub.requests(),
                        Histograms.summary(pub.ack())),
                new Summary.Delivery(expected, delivered, deliverySeconds > 0 ? round(delivered / deliverySeconds) : 0,
                        lost, duplicated, reordered, unparsed, other),
                Histograms.summary(latency), catchUp, server, errors);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
