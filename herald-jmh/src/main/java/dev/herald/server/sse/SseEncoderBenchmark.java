package dev.herald.server.sse;

import dev.herald.core.Epochs;
import dev.herald.core.Message;
import dev.herald.core.Topic;
import dev.herald.jmh.Payloads;
import dev.herald.server.http.SharedChunk;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link SseEncoder#frame}: a message's {@code text/event-stream} frame, computed on first use and cached on the
 * message. {@code encode} frames a new message each time (the first subscriber's cost, paid once per message);
 * {@code cached} asks again for the frame of a message already framed (every other subscriber's cost).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SseEncoderBenchmark {

    /** short: a 14-character line; 1KiB: one line of 1,024 characters; multiline: 16 lines, LF and CRLF. */
    @Param({"short", "1KiB", "multiline"})
    public String data;

    private SseEncoder encoder;
    private Topic topic;
    private String text;
    private long offset;
    private Message framed;

    @Setup
    public void setUp() {
        encoder = new SseEncoder(Epochs.next());
        topic = Topic.of("chat/room-42");
        text = Payloads.of(data);
        framed = new Message(1, topic, Message.DEFAULT_EVENT, text, 1_780_000_000_000L, "");
        encoder.frame(framed);
    }

    @Benchmark
    public SharedChunk encode() {
        // A new message, as the log hands each one over; its frame is not cached yet.
        Message message = new Message(++offset, topic, Message.DEFAULT_EVENT, text, 1_780_000_000_000L, "");
        return encoder.frame(message);
    }

    @Benchmark
    public SharedChunk cached() {
        return encoder.frame(framed);
    }
}
