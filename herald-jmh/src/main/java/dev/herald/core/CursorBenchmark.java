package dev.herald.core;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Cursor}: parsing the token a reconnecting client sends (SSE {@code Last-Event-ID}, the poll and WebSocket
 * {@code cursor}), writing one ({@link Cursor#token()}), and refusing a token that is not a cursor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CursorBenchmark {
    private String valid;
    private String invalid;
    private Cursor cursor;

    @Setup
    public void setUp() {
        cursor = new Cursor(Epochs.next(), 1_234_567L);
        valid = cursor.token();
        invalid = "3f9a0c1b-42; DROP TABLE"; // what a client might send instead
        if (!Cursor.parse(valid).equals(cursor)) {
            throw new IllegalStateException("parse(token()) is not the cursor");
        }
        try {
            Cursor.parse(invalid);
            throw new IllegalStateException("'" + invalid + "' parsed as a cursor");
        } catch (IllegalArgumentException expected) {
            // refused, as measured
        }
    }

    @Benchmark
    public Cursor parse() {
        return Cursor.parse(valid);
    }

    @Benchmark
    public String token() {
        return cursor.token();
    }

    /** The refusal, exception included: what a client sending garbage costs. */
    @Benchmark
    public Object parseInvalid() {
        try {
            return Cursor.parse(invalid);
        } catch (IllegalArgumentException e) {
            return e;
        }
    }
}
