package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Latest-value topics: a subscriber that is behind gets the newest message of each such topic instead of the
 * backlog, and every message of the other topics, once, in offset order.
 */
class LatestValueTest {
    private static final Predicate<Topic> METERS = topic -> Selector.of("meters/#").matches(topic);
    private static final List<Selector> PLANT = List.of(Selector.of("meters/#"), Selector.of("alarms/#"));

    private final ExecutorService reader = Executors.newFixedThreadPool(2);
    private final ExecutorService loop = Executors.newSingleThreadExecutor();
    private final CountingLog log = new CountingLog(new MemoryLog(
            RetentionPolicy.of(new Retention(100_000, Duration.ofDays(1))), System::currentTimeMillis));
    private final Hub hub = new Hub(log, reader, METERS);

    @AfterEach
    void stop() {
        reader.shutdownNow();
        loop.shutdownNow();
    }

    /** A subscriber whose writability the test sets: a socket that stops and starts taking bytes. */
    final class SlowReader implements Subscriber {
        final List<Message> messages = new CopyOnWriteArrayList<>();
        final AtomicInteger caughtUp = new AtomicInteger();
        volatile boolean writable = true;

        @Override
        public ExecutorService executor() {
            return loop;
        }

        @Override
        public boolean isWritable() {
            return writable;
        }

        @Override
        public void onStart(Cursor position) {
        }

        @Override
        public void onCaughtUp() {
            caughtUp.incrementAndGet();
        }

        @Override
        public void onMessages(List<Message> batch) {
            messages.addAll(batch);
        }

        @Override
        public void onTruncated(Cursor requested) {
        }

        @Override
        public void onFailure(Throwable cause) {
        }

        List<Message> on(String prefix) {
            return messages.stream().filter(m -> m.topic().name().startsWith(prefix)).toList();
        }
    }

    @Test
    void aPausedSubscriberGetsTheNewestReadingOfEachMeterAndEveryAlarm() throws Exception {
        SlowReader r = new SlowReader();
        Subscription s = hub.subscribe(PLANT, Hub.EVERY_TOPIC, Start.now(), r);
        settle();
        publish("meters/m-1/reading", "1");
        await(() -> r.messages.size() == 1);

        r.writable = false;
        List<String> alarms = new ArrayList<>();
        for (int i = 2; i <= 3000; i++) {
            publish("meters/m-" + (i % 3 + 1) + "/reading", Integer.toString(i));
            if (i % 500 == 0) {
                publish("alarms/m-1", "alarm " + i);
                alarms.add("alarm " + i);
            }
        }
        settle();
        assertThat(r.messages).hasSizeLessThan(3); // the one that found it unwritable is the last it took
        int readsBefore = log.reads.get();

        r.writable = true;
        loop.execute(s::resume);
        await(() -> r.caughtUp.get() >= 2);
        settle();

        assertThat(r.on("alarms/")).extracting(Message::data).containsExactlyElementsOf(alarms);
        assertThat(r.on("meters/")).extracting(Message::data).containsExactly("1", "2998", "2999", "3000");
        assertInOffsetOrderOnce(r.messages);
        assertThat(log.reads.get()).as("log reads on resume: the few alarms were held").isEqualTo(readsBefore);
    }

    @Test
    void afterMoreOtherMessagesThanItHoldsItReadsTheLogFromTheFirstOfThem() throws Exception {
        SlowReader r = new SlowReader();
        Subscription s = hub.subscribe(PLANT, Hub.EVERY_TOPIC, Start.now(), r);
        settle();
        publish("meters/m-1/reading", "1");
        await(() -> r.messages.size() == 1);

        r.writable = false;
        for (int i = 2; i <= 500; i++) {
            publish("meters/m-" + (i % 3 + 1) + "/reading", Integer.toString(i));
        }
        List<String> alarms = new ArrayList<>();
        for (int i = 1; i <= LatestValues.HELD_OTHERS + 50; i++) {
            publish("alarms/m-" + (i % 2 + 1), "alarm " + i);
            alarms.add("alarm " + i);
            publish("meters/m-" + (i % 3 + 1) + "/reading", "after " + i);
        }
        settle();
        int readsBefore = log.reads.get();
        r.writable = true;
        loop.execute(s::resume);
        await(() -> r.caughtUp.get() >= 2);
        settle();

        assertThat(r.on("alarms/")).extracting(Message::data).containsExactlyElementsOf(alarms);
        List<Message> readings = r.on("meters/");
        assertThat(readings).hasSize(1 + 3); // held: a newer reading of each meter came after every page's
        assertInOffsetOrderOnce(r.messages);
        assertThat(log.reads.get()).isGreaterThan(readsBefore);
        // From the first alarm missed on: not the 499 readings before it.
        long firstAlarm = offsetOf(r, "alarm 1");
        assertThat(log.readFrom.subList(readsBefore, log.readFrom.size())).allMatch(from -> from >= firstAlarm - 1);
    }

    @Test
    void withOnlyLatestValueTopicsMissedResumingReadsNoHistory() throws Exception {
        SlowReader r = new SlowReader();
        Subscription s = hub.subscribe(PLANT, Hub.EVERY_TOPIC, Start.now(), r);
        settle();
        publish("meters/m-1/reading", "first");
        await(() -> r.messages.size() == 1);
        r.writable = false;
        for (int i = 1; i <= 2000; i++) {
            publish("meters/m-" + (i % 4 + 1) + "/reading", "v" + i);
        }
        settle();
        int readsBefore = log.reads.get();
        r.writable = true;
        loop.execute(s::resume);
        await(() -> r.caughtUp.get() >= 2);
        settle();

        assertThat(log.reads.get()).as("log reads on resume").isEqualTo(readsBefore);
        assertThat(r.messages.subList(1, r.messages.size())).extracting(Message::data)
                .containsExactlyInAnyOrder("v1997", "v1998", "v1999", "v2000");
        assertInOffsetOrderOnce(r.messages);

        // Live again, it gets every message.
        for (int i = 1; i <= 5; i++) {
            publish("meters/m-1/reading", "live" + i);
        }
        await(() -> r.messages.size() == 10);
        assertThat(r.messages.subList(5, 10)).extracting(Message::data)
                .containsExactly("live1", "live2", "live3", "live4", "live5");
    }

    @Test
    void aCatchUpFromAnOldCursorLeavesOutSupersededReadingsButNoAlarm() throws Exception {
        Cursor before = hub.head();
        List<String> alarms = new ArrayList<>();
        for (int i = 1; i <= 4000; i++) {
            publish("meters/m-" + (i % 2 + 1) + "/reading", Integer.toString(i));
            if (i % 300 == 0) {
                publish("alarms/m-2", "alarm " + i);
                alarms.add("alarm " + i);
            }
        }
        SlowReader r = new SlowReader();
        hub.subscribe(PLANT, Hub.EVERY_TOPIC, Start.after(before), r);
        await(() -> r.caughtUp.get() == 1);

        assertThat(r.on("alarms/")).extracting(Message::data).containsExactlyElementsOf(alarms);
        List<Message> readings = r.on("meters/");
        int pages = (4000 + alarms.size()) / Subscription.PAGE + 1;
        assertThat(readings).hasSizeLessThanOrEqualTo(2 * pages);
        assertThat(readings.subList(readings.size() - 2, readings.size())).extracting(Message::data)
                .containsExactlyInAnyOrder("3999", "4000");
        assertInOffsetOrderOnce(r.messages);
    }

    @Test
    void aSubscriberThatKeepsUpGetsEveryReading() throws Exception {
        SlowReader r = new SlowReader();
        hub.subscribe(PLANT, Hub.EVERY_TOPIC, Start.now(), r);
        settle();
        for (int i = 1; i <= 300; i++) {
            publish("meters/m-1/reading", Integer.toString(i));
        }
        await(() -> r.messages.size() == 300);
        assertInOffsetOrderOnce(r.messages);
    }

    @Test
    void historyIsReplayedAsItIsAndASubscriptionMayNameItsOwnLatestValueTopics() throws Exception {
        for (int i = 1; i <= 20; i++) {
            publish("meters/m-1/reading", Integer.toString(i));
        }
        SlowReader r = new SlowReader();
        hub.subscribe(PLANT, Hub.EVERY_TOPIC, Start.last(10), r);
        await(() -> r.caughtUp.get() == 1);
        assertThat(r.messages).extracting(Message::data).containsExactly("11", "12", "13", "14", "15", "16", "17",
                "18", "19", "20");

        // With no latest-value topics of its own, an old cursor gets the whole backlog.
        SlowReader all = new SlowReader();
        hub.subscribe(PLANT, Hub.EVERY_TOPIC, Hub.NO_TOPIC, Start.after(new Cursor(hub.log().epoch(), 0)), all);
        await(() -> all.caughtUp.get() == 1);
        assertThat(all.messages).hasSize(20);
    }

    private long offsetOf(SlowReader r, String data) {
        return r.messages.stream().filter(m -> m.data().equals(data)).findFirst().orElseThrow().offset();
    }

    private static void assertInOffsetOrderOnce(List<Message> messages) {
        for (int i = 1; i < messages.size(); i++) {
            assertThat(messages.get(i).offset()).as("offset after %s", messages.get(i - 1))
                    .isGreaterThan(messages.get(i - 1).offset());
        }
    }

    private void publish(String topic, String data) {
        hub.publish(List.of(Draft.of(Topic.of(topic), data))).join();
    }

    private void settle() throws Exception {
        for (int i = 0; i < 3; i++) {
            loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
            Thread.sleep(20);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(5);
        }
    }

    /** A log that counts its reads and notes where each began. */
    static final class CountingLog implements Log {
        final Log log;
        final AtomicInteger reads = new AtomicInteger();
        final List<Long> readFrom = new CopyOnWriteArrayList<>();

        CountingLog(Log log) {
            this.log = log;
        }

        @Override
        public String epoch() {
            return log.epoch();
        }

        @Override
        public long head() {
            return log.head();
        }

        @Override
        public CompletableFuture<List<Appended>> append(List<Draft> drafts) {
            return log.append(drafts);
        }

        @Override
        public History read(Collection<Selector> selectors, long after, int limit) {
            reads.incrementAndGet();
            readFrom.add(after);
            return log.read(selectors, after, limit);
        }

        @Override
        public List<Message> last(Collection<Selector> selectors, int count) {
            return log.last(selectors, count);
        }

        @Override
        public void listen(Consumer<List<Message>> listener) {
            log.listen(listener);
        }

        @Override
        public boolean isWritable() {
            return log.isWritable();
        }

        @Override
        public void close() {
            log.close();
        }
    }
}
