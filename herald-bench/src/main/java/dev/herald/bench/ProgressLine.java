package dev.herald.bench;

import java.io.PrintStream;

/**
 * The progress report on stderr: a bar redrawn in place on a terminal, or a plain line every few seconds in a log.
 * Auto picks the bar when {@code TERM} names a terminal and CI is not set.
 */
final class ProgressLine {
    private static final int WIDTH = 24;

    private final PrintStream out;
    private final boolean bar;
    private final boolean off;
    private final long start = System.nanoTime();
    private long lastLine;
    private long lastDelivered;
    private long lastNanos = start;
    private double perSecond;
    private boolean drawn;

    ProgressLine(PrintStream out, String mode) {
        this.out = out;
        String term = System.getenv("TERM");
        boolean terminal = term != null && !term.equals("dumb") && System.getenv("CI") == null;
        this.off = mode.equals("off");
        this.bar = mode.equals("bar") || (mode.equals("auto") && terminal);
    }

    /**
     * @param phase what the run is doing
     * @param done how far the phase is, 0 to 1
     */
    synchronized void update(String phase, double done, Fleet.Progress p, int subscribers, long published) {
        if (off) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastNanos >= 500_000_000L) {
            perSecond = (p.delivered() - lastDelivered) / ((now - lastNanos) / 1e9);
            lastDelivered = p.delivered();
            lastNanos = now;
        }
        String text = String.format("%-8s %5.1fs  connected %,d/%,d  published %,d  delivered %,d (%,.0f/s)",
                phase, (now - start) / 1e9, p.connected(), subscribers, published, p.delivered(), perSecond);
        if (bar) {
            int filled = (int) Math.round(Math.max(0, Math.min(1, done)) * WIDTH);
            out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + text + "   ");
            out.flush();
            drawn = true;
        } else if (now - lastLine >= 5_000_000_000L) {
            out.println("bench: " + text);
            lastLine = now;
        }
    }

    /** Ends the bar's line. */
    synchronized void finish() {
        if (drawn) {
            out.println();
            drawn = false;
        }
    }
}
