package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerProbeTest {
    @Test
    void rssComesFromStatus() {
        assertThat(ServerProbe.rssKiB("Name:\tjava\nVmPeak:\t 9 kB\nVmRSS:\t  123456 kB\nThreads: 4\n"))
                .isEqualTo(123_456);
    }

    @Test
    void cpuTicksAreUtimePlusStimeEvenWithParenthesesInTheCommand() {
        String stat = "4242 (nginx: worker (x) ) S 1 4242 4242 0 -1 4194560 1 0 0 0 250 75 0 0 20 0 1 0 100 0 0";
        assertThat(ServerProbe.cpuTicks(stat)).isEqualTo(325);
    }

    @Test
    void thisProcessCanBeMeasured() {
        ServerProbe.Sample s = new ServerProbe(List.of(ProcessHandle.current().pid())).sample();
        assertThat(s.rssKiB()).isPositive();
        assertThat(s.pids()).contains(ProcessHandle.current().pid());
    }
}
