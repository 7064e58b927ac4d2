package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The server's resident memory and CPU time from {@code /proc}: {@code VmRSS} of {@code /proc/<pid>/status} and
 * {@code utime + stime} of {@code /proc/<pid>/stat}, summed over the given processes and their descendants (nginx's
 * workers, Pushpin's proxy and handler). A process that has gone is left out of the sum.
 */
final class ServerProbe {
    /** Clock ticks per second of {@code /proc/<pid>/stat}: USER_HZ, 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100;

    private final List<Long> pids;

    ServerProbe(List<Long> pids) {
        this.pids = List.copyOf(pids);
    }

    /** Whether there is anything to measure. */
    boolean enabled() {
        return !pids.isEmpty();
    }

    /**
     * One reading.
     *
     * @param pids the processes read
     * @param rssKiB their resident memory
     * @param cpuSeconds their user and system CPU time
     */
    record Sample(List<Long> pids, long rssKiB, double cpuSeconds) {
        static final Sample NONE = new Sample(List.of(), 0, 0);
    }

    Sample sample() {
        if (pids.isEmpty()) {
            return Sample.NONE;
        }
        Set<Long> all = new LinkedHashSet<>();
        for (long pid : pids) {
            all.add(pid);
            ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> all.add(d.pid())));
        }
        long rss = 0;
        long ticks = 0;
        List<Long> read = new ArrayList<>();
        for (long pid : all) {
            try {
                rss += rssKiB(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
                ticks += cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
                read.add(pid);
            } catch (IOException | RuntimeException e) {
                // the process exited between listing and reading: it no longer uses anything
            }
        }
        return new Sample(read, rss, ticks / TICKS_PER_SECOND);
    }

    /** {@code VmRSS:   123456 kB} of a status file. */
    static long rssKiB(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        return 0;
    }

    /** utime + stime, fields 14 and 15 of a stat line; the command (field 2) may hold spaces and parentheses. */
    static long cpuTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state): field n is f[n - 3].
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
