package io.twlab.cli;

import io.twlab.scenario.ScenarioException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** twlab: simulate, explain and predict TCP TIME_WAIT/PAWS failures behind NAT and load balancers. */
@Command(name = "twlab", mixinStandardHelpOptions = true, version = "twlab 0.1.0",
        description = "Simulates Linux TCP stacks behind NAT gateways on kernel-version profiles.",
        subcommands = {SimulateCommand.class, ReportCommand.class, AnalyzeCommand.class, AdviseCommand.class,
                CollectCommand.class, LabCommand.class, CapacityCommand.class, BenchCommand.class,
                ProfilesCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit status: 0 ok, 2 bad input, 1 internal error. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ScenarioException se) {
                cmd.getErr().println("error: " + se.render());
                return 2;
            }
            if (ex instanceof UsageException ue) {
                cmd.getErr().println("error: " + ue.getMessage());
                return 2;
            }
            cmd.getErr().println("internal error: " + ex + " (please report it with the scenario)");
            return 1;
        });
        return cli.execute(args);
    }
}
