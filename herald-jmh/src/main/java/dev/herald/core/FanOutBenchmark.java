package dev.herald.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One message published to one topic with N live subscribers, end to end: {@link Hub#publish} appends it to a
 * {@link MemoryLog}, which calls the hub's listener synchronously within the append; the hub looks the topic up
 * in its subscription index, plans one share per subscriber and runs them on the subscribers' (direct) executor,
 * and each subscription hands its message to its subscriber, which counts it. The publish's future is complete
 * when {@code append} returns; {@code join()} just reads it. The log keeps its default 1,000 messages per topic:
 * after the first 1,000 publishes, each append also trims the oldest.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FanOutBenchmark {

    @Param({"1", "1000", "10000"})
    public int subscribers;

    private final CountingSubscriber.Counts counts = new CountingSubscriber.Counts();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private Hub hub;
    private List<Draft> batch;
    private long published;

    @Setup(Level.Trial)
    public void setUp() {
        // History reads (only the subscriptions' first catch-up here) run on the calling thread too, so
        // subscribe() returns with the subscription live.
        hub = new Hub(new MemoryLog(), CountingSubscriber.DIRECT);
        Topic topic = Topic.of("chat/room-42");
        for (int i = 0; i < subscribers; i++) {
            subscriptions.add(hub.subscribe(List.of(Selector.of(topic)), Start.now(), new CountingSubscriber(counts)));
        }
        if (counts.caughtUp != subscribers || hub.subscriptionCount() != subscribers) {
            throw new IllegalStateException(counts.caughtUp + " of " + subscribers + " subscriptions live, "
                    + hub.subscriptionCount() + " registered");
        }
        batch = List.of(Draft.of(topic, "{\"text\":\"hello, room 42\"}"));
    }

    @Benchmark
    public List<Appended> publish() {
        published++;
        return hub.publish(batch).join();
    }

    /** Every subscriber got every message of the iteration: the fan-out measured is the whole fan-out. */
    @TearDown(Level.Iteration)
    public void check() {
        if (counts.delivered != published * subscribers) {
            throw new IllegalStateException(counts.delivered + " messages delivered (expected: " + published
                    + " published × " + subscribers + " subscribers)");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        subscriptions.forEach(Subscription::cancel);
        hub.log().close();
    }
}
