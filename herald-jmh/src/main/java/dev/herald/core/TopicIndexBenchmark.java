package dev.herald.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
 * Many topics, few subscribers each: 1,000 topics {@code rooms/r-<i>/chat} × 10 subscribers, one message
 * published to a random topic, end to end as in {@link FanOutBenchmark}. What differs is the
 * {@link SubscriptionIndex} lookup among 1,000 siblings and the kind of selector the subscribers hold:
 * {@code exact} ({@code rooms/r-7/chat}), {@code plus} ({@code rooms/r-7/+}) or {@code hash} ({@code rooms/r-7/#}).
 * Each publish reaches the 10 subscribers of its topic.
 *
 * <p>The log keeps {@value #RETAINED} messages per topic (the default is 1,000): every topic is full, and each
 * append trims one, within the first warmup iteration, instead of the heap growing by 1,000,000 messages over
 * the run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TopicIndexBenchmark {
    static final int TOPICS = 1000;
    static final int PER_TOPIC = 10;
    static final int RETAINED = 100;
    private static final int SEQUENCE = 1 << 14;

    @Param({"exact", "plus", "hash"})
    public String selector;

    private final CountingSubscriber.Counts counts = new CountingSubscriber.Counts();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private Hub hub;
    private List<List<Draft>> batches;
    private int[] sequence;
    private int next;
    private long published;

    @Setup(Level.Trial)
    public void setUp() {
        Retention retention = new Retention(RETAINED, Duration.ofHours(1));
        MemoryLog log = new MemoryLog(RetentionPolicy.of(retention), System::currentTimeMillis);
        hub = new Hub(log, CountingSubscriber.DIRECT);
        batches = new ArrayList<>(TOPICS);
        for (int t = 0; t < TOPICS; t++) {
            String room = "rooms/r-" + t;
            Selector s = Selector.of(switch (selector) {
                case "exact" -> room + "/chat";
                case "plus" -> room + "/+";
                case "hash" -> room + "/#";
                default -> throw new IllegalArgumentException("selector: " + selector
                        + " (expected: exact, plus or hash)");
            });
            for (int i = 0; i < PER_TOPIC; i++) {
                subscriptions.add(hub.subscribe(List.of(s), Start.now(), new CountingSubscriber(counts)));
            }
            batches.add(List.of(Draft.of(Topic.of(room + "/chat"), "{\"text\":\"hello, room " + t + "\"}")));
        }
        int expected = TOPICS * PER_TOPIC;
        if (counts.caughtUp != expected || hub.subscriptionCount() != expected) {
            throw new IllegalStateException(counts.caughtUp + " of " + expected + " subscriptions live, "
                    + hub.subscriptionCount() + " registered");
        }
        // A fixed random sequence of topics, so that choosing one costs an array read.
        SplittableRandom random = new SplittableRandom(42);
        sequence = new int[SEQUENCE];
        for (int i = 0; i < SEQUENCE; i++) {
            sequence[i] = random.nextInt(TOPICS);
        }
    }

    @Benchmark
    public List<Appended> publish() {
        published++;
        List<Draft> batch = batches.get(sequence[next]);
        next = (next + 1) & (SEQUENCE - 1);
        return hub.publish(batch).join();
    }

    @TearDown(Level.Iteration)
    public void check() {
        if (counts.delivered != published * PER_TOPIC) {
            throw new IllegalStateException(counts.delivered + " messages delivered (expected: " + published
                    + " published × " + PER_TOPIC + " subscribers)");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        subscriptions.forEach(Subscription::cancel);
        hub.log().close();
    }
}
