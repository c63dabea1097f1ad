package io.twlab.cli;

/** Test helper for other packages: runs the CLI in-process and returns its exit status. */
public final class CliRunner {
    private CliRunner() {
    }

    public static int run(String... args) {
        return CliRun.of(args).status();
    }
}
