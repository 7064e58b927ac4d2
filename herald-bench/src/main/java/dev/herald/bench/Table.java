package dev.herald.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The side-by-side table: one row per scenario and metric, one column per server, and Herald's ratio to each peer
 * (Herald's value divided by the peer's; the arrow in the metric's name says which way is better). A scenario whose
 * label starts with {@code g} is a rate search: each server's value is the highest rate whose p99 stayed within the
 * bound with nothing lost, duplicated, reordered, refused or skipped.
 */
final class Table {
    private static final String HERALD = "herald";

    /** A metric: how to read it from a summary, and whether higher is better. */
    private record Metric(String name, boolean higherIsBetter, Function<Summary, Optional<Double>> value) {
    }

    private final double p99BoundMs;

    Table(double p99BoundMs) {
        this.p99BoundMs = p99BoundMs;
    }

    String render(List<Summary> summaries) {
        Set<String> servers = new LinkedHashSet<>();
        servers.add(HERALD);
        Map<String, List<Summary>> byLabel = new LinkedHashMap<>();
        for (Summary s : summaries) {
            servers.add(s.server());
            byLabel.computeIfAbsent(s.label(), k -> new ArrayList<>()).add(s);
        }
        List<String> peers = servers.stream().filter(s -> !s.equals(HERALD)).toList();
        StringBuilder b = new StringBuilder();
        b.append("| scenario | metric |");
        servers.forEach(s -> b.append(' ').append(s).append(" |"));
        peers.forEach(p -> b.append(" herald ÷ ").append(p).append(" |"));
        b.append('\n').append("|---|---|");
        servers.forEach(s -> b.append("---:|"));
        peers.forEach(p -> b.append("---:|"));
        b.append('\n');
        for (Map.Entry<String, List<Summary>> e : byLabel.entrySet()) {
            String label = e.getKey();
            List<Summary> runs = e.getValue();
            if (label.startsWith("g")) {
                row(b, label, "max rate msg/s with p99 ≤ " + fmt(p99BoundMs) + " ms ↑", servers, peers,
                        server -> searchResult(runs, server));
                continue;
            }
            Summary any = runs.get(0);
            for (Metric m : metrics(any)) {
                row(b, label, m.name(), servers, peers, server -> runs.stream()
                        .filter(s -> s.server().equals(server)).findFirst().flatMap(m.value()));
            }
            textRow(b, label, "lost / duplicated / reordered", servers, peers, server -> runs.stream()
                    .filter(s -> s.server().equals(server)).findFirst()
                    .map(s -> s.delivery().lost() + " / " + s.delivery().duplicated() + " / " + s.delivery().reordered())
                    .orElse("—"));
        }
        return b.toString();
    }

    private static List<Metric> metrics(Summary s) {
        List<Metric> m = new ArrayList<>();
        if (s.catchUp() != null) {
            m.add(new Metric("catch-up msg/s ↑", true, x -> Optional.ofNullable(x.catchUp()).map(c -> c.messagesPerSecond())));
            m.add(new Metric("catch-up s ↓", false, x -> Optional.ofNullable(x.catchUp()).map(c -> c.seconds())));
        } else if (s.subscribers().requested() == 0) {
            m.add(new Metric("publish acked msg/s ↑", true, x -> Optional.of(x.publish().ackedPerSecond())));
            m.add(new Metric("ack p50 ms ↓", false, x -> Optional.of(x.publish().ack().p50Ms())));
            m.add(new Metric("ack p99 ms ↓", false, x -> Optional.of(x.publish().ack().p99Ms())));
        } else {
            m.add(new Metric("connected ↑", true, x -> Optional.of((double) x.subscribers().connected())));
            m.add(new Metric("delivered msg/s ↑", true, x -> Optional.of(x.delivery().perSecond())));
            m.add(new Metric("latency p50 ms ↓", false, x -> Optional.of(x.latency().p50Ms())));
            m.add(new Metric("latency p99 ms ↓", false, x -> Optional.of(x.latency().p99Ms())));
            m.add(new Metric("latency p99.9 ms ↓", false, x -> Optional.of(x.latency().p999Ms())));
            m.add(new Metric("server RSS KiB per connection ↓", false,
                    x -> Optional.ofNullable(x.serverStats()).map(v -> v.rssPerConnectionKiB())));
        }
        m.add(new Metric("server CPU s ↓", false, x -> Optional.ofNullable(x.serverStats()).map(v -> v.cpuSeconds())));
        return m;
    }

    /** The highest clean rate of {@code server} among the search's runs. */
    private Optional<Double> searchResult(List<Summary> runs, String server) {
        return runs.stream()
                .filter(s -> s.server().equals(server))
                .filter(s -> s.latency().count() > 0 && s.latency().p99Ms() <= p99BoundMs)
                .filter(s -> s.delivery().lost() + s.delivery().duplicated() + s.delivery().reordered() == 0)
                .filter(s -> s.publish().failed() + s.publish().skipped() == 0)
                .map(s -> s.publish().rate())
                .max(Double::compare);
    }

    /** A numeric row: each server's value, then Herald's divided by each peer's. */
    private void row(StringBuilder b, String label, String metric, Set<String> servers, List<String> peers,
            Function<String, Optional<Double>> value) {
        b.append("| ").append(label).append(" | ").append(metric).append(" |");
        for (String s : servers) {
            b.append(' ').append(value.apply(s).map(Table::fmt).orElse("—")).append(" |");
        }
        Optional<Double> herald = value.apply(HERALD);
        for (String p : peers) {
            Optional<Double> peer = value.apply(p);
            b.append(' ').append(herald.isPresent() && peer.isPresent() && peer.get() != 0
                    ? String.format(Locale.ROOT, "%.2f×", herald.get() / peer.get()) : "—").append(" |");
        }
        b.append('\n');
    }

    /** A row of text, without ratios. */
    private void textRow(StringBuilder b, String label, String metric, Set<String> servers, List<String> peers,
            Function<String, String> text) {
        b.append("| ").append(label).append(" | ").append(metric).append(" |");
        for (String s : servers) {
            b.append(' ').append(text.apply(s)).append(" |");
        }
        peers.forEach(p -> b.append(" — |"));
        b.append('\n');
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%,.0f" : Math.abs(v) >= 1 ? "%.2f" : "%.3f", v);
    }
}
