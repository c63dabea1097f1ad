package io.twlab.cli;

import io.twlab.engine.Simulator;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress display on stderr: simulated time done, events/s and an ETA. Terminals only. */
final class TerminalProgress implements Simulator.ProgressListener {
    private final PrintStream err;
    private final long totalNs;
    private final long startWall = System.nanoTime();
    private long lastPrint;
    private boolean printed;
    /** Length of the "what comes next" line left on the terminal, 0 when none. */
    private int pendingLine;

    private TerminalProgress(PrintStream err, long totalNs) {
        this.err = err;
        this.totalNs = totalNs;
    }

    /** Null unless stderr is an interactive terminal and the user did not ask for quiet or JSON output. */
    static TerminalProgress forRun(long totalNs, boolean quiet, boolean json) {
        if (quiet || json || !stderrIsTerminal()) {
            return null;
        }
        return new TerminalProgress(System.err, totalNs);
    }

    /** bin/twlab tests stderr with `[ -t 2 ]`; run without it, a console (stdin and stdout a terminal) counts. */
    static boolean stderrIsTerminal() {
        String fromLauncher = System.getProperty("twlab.stderrIsTerminal");
        return fromLauncher != null ? Boolean.parseBoolean(fromLauncher) : System.console() != null;
    }

    @Override
    public void onProgress(long simulatedNow, long events) {
        long now = System.nanoTime();
        if (now - lastPrint < 200_000_000L) {
            return;
        }
        lastPrint = now;
        double elapsed = (now - startWall) / 1e9;
        double done = Math.min(1.0, simulatedNow / (double) totalNs);
        double eta = done > 0 ? elapsed * (1 - done) / done : 0;
        int width = 30;
        int filled = (int) (done * width);
        err.printf(Locale.ROOT, "\r[%s%s] %5.1f%%  %s of %s simulated  %.1f M events/s  ETA %.0f s ",
                "#".repeat(filled), " ".repeat(width - filled), done * 100, clock(simulatedNow), clock(totalNs),
                events / elapsed / 1e6, eta);
        printed = true;
    }

    private static String clock(long ns) {
        long s = ns / 1_000_000_000L;
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** Ends the bar and says what comes next (e.g. writing the results), so a long write does not look like a hang. */
    void finish(String next) {
        if (printed) {
            err.print("\r" + " ".repeat(100) + "\r");
            if (next != null) {
                err.print(next + "...\r");
                pendingLine = next.length() + 3;
            }
        }
    }

    /** Clears the "next" line once that work is done. */
    void done() {
        if (pendingLine > 0) {
            err.print("\r" + " ".repeat(pendingLine) + "\r");
            pendingLine = 0;
        }
    }
}
