package io.twlab.cli;

/** Test helper for other packages: runs the CLI in-process and returns its exit status. */
public final class CliRunner {
    private CliRunner() {
    }

    public static int run(String... args) {
        return CliRun.of(args).status();
    }

    /** Exit status, standard output and standard error of one in-process run. */
    public record Output(int status, String out, String err) {
    }

    public static Output runWithOutput(String... args) {
        CliRun r = CliRun.of(args);
        return new Output(r.status(), r.out(), r.err());
    }
}
