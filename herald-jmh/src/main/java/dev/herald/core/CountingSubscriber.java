package dev.herald.core;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * A subscriber that runs on the thread that publishes (a direct executor, as if every subscriber shared that
 * thread's event loop), is always writable, and only counts what it is given: the fan-out's own cost, without a
 * transport's.
 */
final class CountingSubscriber implements Subscriber {
    /** Runs callbacks on the calling thread: the fan-out's one task per executor runs within the publish. */
    static final Executor DIRECT = Runnable::run;

    /** Counts shared by all the subscribers of one benchmark, touched by one thread. */
    static final class Counts {
        long delivered;
        int caughtUp;
    }

    private final Counts counts;

    CountingSubscriber(Counts counts) {
        this.counts = counts;
    }

    @Override
    public Executor executor() {
        return DIRECT;
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public void onStart(Cursor position) {
    }

    @Override
    public void onCaughtUp() {
        counts.caughtUp++;
    }

    @Override
    public void onMessages(List<Message> messages) {
        counts.delivered += messages.size();
    }

    @Override
    public void onTruncated(Cursor requested) {
        throw new IllegalStateException("truncated at " + requested + ": the benchmark's log should hold everything");
    }

    @Override
    public void onFailure(Throwable cause) {
        throw new IllegalStateException("subscription failed", cause);
    }
}
