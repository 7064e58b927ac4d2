package dev.herald.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark, with every parameter, once for a few milliseconds in this JVM: their setups (which check
 * that what they measure works: subscriptions live, every message delivered, requests verified) pass. Measures
 * nothing; a few seconds in all.
 */
class BenchmarksSmokeTest {
    /** Benchmark methods × parameter values, as declared. */
    private static final int RUNS = 6 + 3 + 3 + 3 + 3 + 2 + 1;

    @Test
    void everyBenchmarkRuns() throws Exception {
        Options options = new OptionsBuilder()
                .include("^dev\\.herald\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(20))
                .timeout(TimeValue.seconds(30))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .timeUnit(TimeUnit.MICROSECONDS)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        assertThat(results).hasSize(RUNS);
        assertThat(results).allSatisfy(r -> assertThat(r.getPrimaryResult().getSampleCount()).isPositive());
    }
}
