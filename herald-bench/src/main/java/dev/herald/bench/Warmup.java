package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Recorder;

/**
 * Runs the load generator's own per-message code (event-stream parsing, payload parsing, sequence and latency
 * accounting) on synthetic events before a run, so that the JIT has compiled it when the first real message
 * arrives. Without it, a short run measures the bench's interpreter: a catch-up of 100,000 messages was read at
 * half the speed the server sent it. The server is not involved.
 */
final class Warmup {
    private static final int EVENTS = 2_000;
    private static final int ROUNDS = 100;

    private Warmup() {
    }

    /** Parses {@code EVENTS × ROUNDS} events like those of a run with {@code options}; returns how many parsed. */
    static long clientPaths(BenchOptions options) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            text.append("id: warmup-").append(i).append('\n').append("data: ")
                    .append(Payload.format(options.format(), i + 1, 1, options.payloadBytes())).append("\n\n");
        }
        ByteBuf events = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        Recorder latency = new Recorder(1, Histograms.MAX_MICROS, 3);
        long[] parsed = new long[1];
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Payload payload = new Payload();
                SequenceTracker tracker = new SequenceTracker();
                SseParser parser = new SseParser((message, data, length) -> {
                    if (message && payload.parse(data, 0, length)) {
                        latency.recordValue(Math.max(1, Math.min(Histograms.MAX_MICROS, payload.ts())));
                        tracker.record(payload.seq());
                        parsed[0]++;
                    }
                }, 1024 * 1024);
                parser.feed(events);
            }
        } finally {
            events.release();
        }
        return parsed[0];
    }
}
