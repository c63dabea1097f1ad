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
    private static boolean stderrIsTerminal() {
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
        err.printf(Locale.ROOT, "\r[%s%s] %5.1f%%  %.1f M events/s  ETA %.0f s ", "#".repeat(filled),
                " ".repeat(width - filled), done * 100, events / elapsed / 1e6, eta);
        printed = true;
    }

    void finish() {
        if (printed) {
            err.print("\r" + " ".repeat(70) + "\r");
        }
    }
}
