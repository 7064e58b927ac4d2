package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HubTest {
    private final ExecutorService reader = Executors.newFixedThreadPool(2);
    private final List<ExecutorService> loops = new ArrayList<>();

    @AfterEach
    void stop() {
        reader.shutdownNow();
        loops.forEach(ExecutorService::shutdownNow);
    }

    /** A subscriber that records what it is told, on its own single thread. */
    class Recorder implements Subscriber {
        final ExecutorService loop = Executors.newSingleThreadExecutor();
        final List<Message> messages = new CopyOnWriteArrayList<>();
        final List<Cursor> truncations = new CopyOnWriteArrayList<>();
        final List<Cursor> starts = new CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger caughtUp = new java.util.concurrent.atomic.AtomicInteger();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        volatile boolean writable = true;

        Recorder() {
            loops.add(loop);
        }

        @Override
        public ExecutorService executor() {
            return loop;
        }

        @Override
        public boolean isWritable() {
            return writable;
        }

        @Override
        public void onMessages(List<Message> batch) {
            messages.addAll(batch);
            batchSizes.add(batch.size());
        }

        @Override
        public void onStart(Cursor position) {
            starts.add(position);
        }

        @Override
        public void onCaughtUp() {
            caughtUp.incrementAndGet();
        }

        @Override
        public void onTruncated(Cursor requested) {
            truncations.add(requested);
        }

        @Override
        public void onFailure(Throwable cause) {
            failures.add(cause);
        }

        List<String> data() {
            return messages.stream().map(Message::data).toList();
        }
    }

    private static void publish(Hub hub, String topic, String data) {
        hub.publish(List.of(Draft.of(Topic.of(topic), data))).join();
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

    /** Waits until the subscription is registered and its first (empty) catch-up is done. */
    private static void settle(Recorder r) throws Exception {
        for (int i = 0; i < 3; i++) {
            r.loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
            Thread.sleep(20);
        }
    }

    @Test
    void deliversPublishedMessagesToMatchingSelectorsOnly() throws Exception {
        Hub hub = new Hub(new MemoryLog(), reader);
        Recorder rooms = new Recorder();
        Recorder one = new Recorder();
        hub.subscribe(List.of(Selector.of("chat/+")), Start.now(), rooms);
        hub.subscribe(List.of(Selector.of("chat/a"), Selector.of("chat/#")), Start.now(), one);
        settle(rooms);
        settle(one);
        publish(hub, "chat/a", "1");
        publish(hub, "chat/b/deep", "2");
        publish(hub, "other", "3");
        publish(hub, "chat/b", "4");
        await(() -> rooms.messages.size() == 2 && one.messages.size() == 3);
        Thread.sleep(50);
        assertThat(rooms.data()).containsExactly("1", "4");
        assertThat(one.data()).containsExactly("1", "2", "4");
    }

    @Test
    void startsAfterACursorAndDeliversWhatWasMissedThenLive() throws Exception {
        Hub hub = new Hub(new MemoryLog(), reader);
        for (int i = 1; i <= 5; i++) {
            publish(hub, "t", "m" + i);
        }
        Recorder r = new Recorder();
        hub.subscribe(List.of(Selector.of("t")), Start.after(new Cursor(hub.log().epoch(), 2)), r);
        await(() -> r.messages.size() == 3);
        publish(hub, "t", "m6");
        await(() -> r.messages.size() == 4);
        assertThat(r.data()).containsExactly("m3", "m4", "m5", "m6");
        assertThat(r.starts).containsExactly(new Cursor(hub.log().epoch(), 2));
        assertThat(r.caughtUp.get()).isEqualTo(1);
        assertThat(r.truncations).isEmpty();
    }

    @Test
    void resumesWithoutGapOrDuplicateWhilePublishersRun() throws Exception {
        Hub hub = new Hub(new MemoryLog(RetentionPolicy.of(new Retention(1_000_000, Duration.ofDays(1))),
                System::currentTimeMillis), reader);
        int total = 40_000;
        AtomicBoolean go = new AtomicBoolean(true);
        Thread publisher = new Thread(() -> {
            for (int i = 1; i <= total && go.get(); i++) {
                hub.publish(List.of(Draft.of(Topic.of("load/" + (i % 3)), Integer.toString(i)))).join();
            }
        });
        publisher.start();
        List<Recorder> recorders = new ArrayList<>();
        // Subscribers join at different moments, from different cursors, while the publisher runs.
        for (int k = 0; k < 6; k++) {
            Thread.sleep(15);
            long at = hub.log().head() / 2;
            Recorder r = new Recorder();
            recorders.add(r);
            hub.subscribe(List.of(Selector.of("load/+")), Start.after(new Cursor(hub.log().epoch(), at)), r);
        }
        publisher.join();
        long head = hub.log().head();
        assertThat(head).isEqualTo(total);
        for (Recorder r : recorders) {
            await(() -> !r.messages.isEmpty() && r.messages.get(r.messages.size() - 1).offset() == total);
            List<Message> got = r.messages;
            long first = got.get(0).offset();
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).offset()).as("offset at %d", i).isEqualTo(first + i);
            }
            assertThat(r.truncations).isEmpty();
        }
    }

    @Test
    void aSubscriberThatCannotKeepUpPausesAndCatchesUpFromTheLog() throws Exception {
        Hub hub = new Hub(new MemoryLog(RetentionPolicy.of(new Retention(10_000, Duration.ofDays(1))),
                System::currentTimeMillis), reader);
        Recorder r = new Recorder();
        Subscription s = hub.subscribe(List.of(Selector.of("t")), Start.now(), r);
        settle(r);
        publish(hub, "t", "1");
        await(() -> r.messages.size() == 1);
        r.writable = false;
        for (int i = 2; i <= 2000; i++) {
            publish(hub, "t", Integer.toString(i));
        }
        settle(r);
        assertThat(r.messages).hasSizeLessThan(3);
        r.writable = true;
        r.loop.execute(s::resume);
        await(() -> r.messages.size() == 2000);
        for (int i = 0; i < 2000; i++) {
            assertThat(r.messages.get(i).data()).isEqualTo(Integer.toString(i + 1));
        }
        assertThat(r.batchSizes).allMatch(n -> n <= Subscription.PAGE);
    }

    @Test
    void aCursorOlderThanTheHistoryIsToldBeforeTheOldestKeptMessage() throws Exception {
        Hub hub = new Hub(new MemoryLog(RetentionPolicy.of(new Retention(10, Duration.ofDays(1))),
                System::currentTimeMillis), reader);
        for (int i = 1; i <= 50; i++) {
            publish(hub, "t", Integer.toString(i));
        }
        Recorder r = new Recorder();
        Cursor old = new Cursor(hub.log().epoch(), 5);
        hub.subscribe(List.of(Selector.of("t")), Start.after(old), r);
        await(() -> r.messages.size() == 10);
        assertThat(r.truncations).containsExactly(old);
        assertThat(r.data()).containsExactly("41", "42", "43", "44", "45", "46", "47", "48", "49", "50");
    }

    @Test
    void aCursorFromAnotherEpochIsTreatedAsTooOld() throws Exception {
        Hub hub = new Hub(new MemoryLog(), reader);
        publish(hub, "t", "1");
        publish(hub, "t", "2");
        Recorder r = new Recorder();
        Cursor foreign = new Cursor("otherepoch", 1);
        hub.subscribe(List.of(Selector.of("t")), Start.after(foreign), r);
        await(() -> r.messages.size() == 2);
        assertThat(r.truncations).containsExactly(foreign);
        assertThat(r.data()).containsExactly("1", "2");
    }

    @Test
    void startsWithTheLastMessagesWhenAsked() throws Exception {
        Hub hub = new Hub(new MemoryLog(), reader);
        for (int i = 1; i <= 8; i++) {
            publish(hub, i % 2 == 0 ? "room" : "elsewhere", Integer.toString(i));
        }
        Recorder r = new Recorder();
        hub.subscribe(List.of(Selector.of("room")), Start.last(3), r);
        await(() -> r.messages.size() == 3);
        publish(hub, "room", "10");
        await(() -> r.messages.size() == 4);
        assertThat(r.data()).containsExactly("4", "6", "8", "10");
    }

    @Test
    void aCancelledSubscriptionReceivesNothingMore() throws Exception {
        Hub hub = new Hub(new MemoryLog(), reader);
        Recorder r = new Recorder();
        Subscription s = hub.subscribe(List.of(Selector.of("t")), Start.now(), r);
        settle(r);
        assertThat(hub.subscriptionCount()).isEqualTo(1);
        s.cancel();
        s.cancel();
        publish(hub, "t", "after cancel");
        settle(r);
        assertThat(r.messages).isEmpty();
        assertThat(hub.subscriptionCount()).isZero();
    }

    @Test
    void aFilterHidesTopicsFromHistoryAndLiveWithoutStallingTheCatchUp() throws Exception {
        Hub hub = new Hub(new MemoryLog(RetentionPolicy.of(new Retention(10_000, Duration.ofDays(1))),
                System::currentTimeMillis), reader);
        // More hidden messages than a page, so that a page may hold nothing the subscriber may see.
        for (int i = 1; i <= Subscription.PAGE * 2 + 10; i++) {
            publish(hub, i % 100 == 0 ? "user/alice/inbox" : "user/bob/inbox", Integer.toString(i));
        }
        Recorder r = new Recorder();
        hub.subscribe(List.of(Selector.of("user/#")), t -> t.name().startsWith("user/alice/"),
                Start.after(new Cursor(hub.log().epoch(), 0)), r);
        await(() -> r.messages.size() == 10);
        publish(hub, "user/bob/inbox", "live for bob");
        publish(hub, "user/alice/inbox", "live for alice");
        await(() -> r.messages.size() == 11);
        Thread.sleep(50);
        assertThat(r.messages).extracting(m -> m.topic().name()).containsOnly("user/alice/inbox");
        assertThat(r.data().get(10)).isEqualTo("live for alice");
    }

    @Test
    void aBatchReachesEachSubscriberAsOneDelivery() throws Exception {
        Hub hub = new Hub(new MemoryLog(), reader);
        Recorder r = new Recorder();
        hub.subscribe(List.of(Selector.of("#")), Start.now(), r);
        settle(r);
        List<Draft> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(Draft.of(Topic.of("t/" + (i % 7)), Integer.toString(i)));
        }
        hub.publish(batch).join();
        await(() -> r.messages.size() == 100);
        assertThat(r.batchSizes).containsExactly(100);
    }

    @Test
    void batchesThatQueueUpWhileTheSubscriberIsBusyArriveAsOneDelivery() throws Exception {
        Hub hub = new Hub(new MemoryLog(), reader);
        Recorder r = new Recorder();
        Recorder other = new Recorder();
        // Overlapping selectors: each message once, in a delivery of everything that queued up.
        hub.subscribe(List.of(Selector.of("t/#"), Selector.of("t/a")), Start.now(), r);
        hub.subscribe(List.of(Selector.of("t/#")), Start.now(), other);
        settle(r);
        settle(other);
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        r.loop.execute(() -> {
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 5; i++) {
            publish(hub, "t/a", Integer.toString(i));
        }
        busy.countDown();
        await(() -> r.messages.size() == 5 && other.messages.size() == 5);
        Thread.sleep(50);
        assertThat(r.data()).containsExactly("0", "1", "2", "3", "4");
        assertThat(r.batchSizes).containsExactly(5);
        assertThat(other.data()).containsExactly("0", "1", "2", "3", "4");
    }

    @Test
    void aSubscriptionWithNothingToCatchUpDoesNotReadTheLog() throws Exception {
        Hub hub = new Hub(new MemoryLog(), task -> {
            throw new java.util.concurrent.RejectedExecutionException("no history reads here");
        });
        publish(hub, "t", "old");
        Recorder r = new Recorder();
        hub.subscribe(List.of(Selector.of("t")), Start.now(), r);
        settle(r);
        publish(hub, "t", "new");
        await(() -> r.messages.size() == 1);
        assertThat(r.data()).containsExactly("new");
        assertThat(r.caughtUp.get()).isEqualTo(1);
        assertThat(r.failures).isEmpty();
    }

    @Test
    void aSubscriberThatFillsUpMidwayThroughQueuedBatchesPausesThereAndCatchesUp() throws Exception {
        Hub hub = new Hub(new MemoryLog(RetentionPolicy.of(new Retention(10_000, Duration.ofDays(1))),
                System::currentTimeMillis), reader);
        Recorder r = new Recorder() {
            @Override
            public void onMessages(List<Message> batch) {
                super.onMessages(batch);
                if (messages.size() == batch.size()) {
                    writable = false; // full after its first delivery
                }
            }
        };
        Subscription s = hub.subscribe(List.of(Selector.of("t")), Start.now(), r);
        settle(r);
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        r.loop.execute(() -> {
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        int total = 3 * Subscription.PAGE;
        for (int i = 0; i < total; i++) {
            publish(hub, "t", Integer.toString(i));
        }
        busy.countDown();
        settle(r);
        // The queued batches arrived together; the subscriber took one page of them, then could take no more.
        assertThat(r.batchSizes).containsExactly(Subscription.PAGE);
        r.writable = true;
        r.loop.execute(s::resume);
        await(() -> r.messages.size() == total);
        assertThat(r.data()).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, total).mapToObj(Integer::toString).toList());
    }
}
