package dev.herald.server.json;

import dev.herald.core.Epochs;
import dev.herald.core.Message;
import dev.herald.core.Topic;
import dev.herald.jmh.Payloads;
import io.netty.buffer.ByteBuf;
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
 * {@link MessageJson#of}: a message as the JSON object long polling and WebSocket send, for a new message each
 * time (computed once per message, then cached on it like the SSE frame; the cached lookup is the same
 * {@code Message.encoded} as {@code SseEncoderBenchmark.cached}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MessageJsonBenchmark {

    /** As in {@code SseEncoderBenchmark}; the multi-line data is escaped ({@code \n}, {@code \r}) here. */
    @Param({"short", "1KiB", "multiline"})
    public String data;

    private MessageJson json;
    private Topic topic;
    private String text;
    private long offset;

    @Setup
    public void setUp() {
        json = new MessageJson(Epochs.next());
        topic = Topic.of("chat/room-42");
        text = Payloads.of(data);
    }

    @Benchmark
    public ByteBuf encode() {
        Message message = new Message(++offset, topic, Message.DEFAULT_EVENT, text, 1_780_000_000_000L, "");
        return json.of(message);
    }
}
