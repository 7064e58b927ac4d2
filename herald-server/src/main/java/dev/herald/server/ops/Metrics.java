package dev.herald.server.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/** Herald's meters, in one registry scraped at {@code /metrics}. */
public final class Metrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final Map<String, Counter> delivered = new ConcurrentHashMap<>();
    private final Counter published;
    private final Counter duplicates;
    private final Counter bytesOut;
    private final Timer appendLatency;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public Metrics() {
        published = Counter.builder("herald.messages.published").description("Messages stored by publishes")
                .register(registry);
        duplicates = Counter.builder("herald.messages.duplicates")
                .description("Publishes recognised by their idempotency key and not stored again").register(registry);
        bytesOut = Counter.builder("herald.sent").baseUnit("bytes").description("Bytes written to clients")
                .register(registry);
        appendLatency = Timer.builder("herald.store.append").description("From publish to durable in the log")
                .publishPercentiles(0.5, 0.99).register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    /** The gauge of open connections of {@code transport}; increment on open, decrement on close. */
    public AtomicInteger connections(String transport) {
        return connections.computeIfAbsent(transport, t -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder("herald.connections", count, AtomicInteger::get).tag("transport", t)
                    .description("Open subscriber connections").register(registry);
            return count;
        });
    }

    public void delivered(String transport, int messages) {
        delivered.computeIfAbsent(transport, t -> Counter.builder("herald.messages.delivered").tag("transport", t)
                .description("Messages written to subscribers").register(registry)).increment(messages);
    }

    public void published(int stored, int duplicate) {
        published.increment(stored);
        duplicates.increment(duplicate);
    }

    public void appended(Duration latency) {
        appendLatency.record(latency);
    }

    public void bytesOut(long bytes) {
        bytesOut.increment(bytes);
    }

    /** A gauge read when scraped. */
    public void gauge(String name, String description, IntSupplier value) {
        Gauge.builder(name, value, v -> v.getAsInt()).description(description).register(registry);
    }

    /** The registry itself, for the admin statistics; read it, register nothing in it. */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
