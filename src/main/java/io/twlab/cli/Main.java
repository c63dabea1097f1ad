package io.twlab.cli;

import io.twlab.scenario.ScenarioException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** twlab: simulate, explain and predict TCP TIME_WAIT/PAWS failures behind NAT and load balancers. */
@Command(name = "twlab", mixinStandardHelpOptions = true, version = "twlab 0.1.0",
        description = "Simulates Linux TCP stacks behind NAT gateways on kernel-version profiles.")
public final class Main {
    /** The subcommands, in the order the help lists them. */
    private static final java.util.List<String> COMMANDS = java.util.List.of("simulate", "report", "analyze",
            "advise", "collect", "lab", "capacity", "sweep", "conform", "bench", "profiles");

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the CLI and returns the exit status: 0 ok, 2 bad input, 1 internal error. Every failure ends in one
     * {@code error:} line (with a hint); a stack trace only with {@code --debug} (anywhere on the command line).
     */
    public static int run(String... args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        CommandLine cli = new CommandLine(new Main());
        // picocli builds a model of every option of every subcommand it is given, by reflection: a tenth of a
        // second. A command line that names its subcommand gets that one only; the others are for help and errors.
        if (rest.length > 0 && COMMANDS.contains(rest[0])) {
            cli.addSubcommand(rest[0], command(rest[0]));
        } else {
            for (String name : COMMANDS) {
                cli.addSubcommand(name, command(name));
            }
            cli.addSubcommand("help", new CommandLine.HelpCommand());
        }
        cli.setParameterExceptionHandler((ex, a) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("error: " + ex.getMessage());
            cmd.getErr().println("hint: see 'twlab " + (cmd.getCommandName().equals("twlab") ? ""
                    : cmd.getCommandName() + " ") + "--help' for the options and their forms");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ScenarioException se) {
                cmd.getErr().println("error: " + se.render());
                return 2;
            }
            if (ex instanceof UsageException || ex instanceof io.twlab.sweep.SweepException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof io.twlab.model.ResourceLimitException re) {
                cmd.getErr().println("error: " + re.getMessage());
                cmd.getErr().println("hint: " + re.hint());
                return 2;
            }
            cmd.getErr().println("internal error: " + ex + " (please report it with the command line and its input; "
                    + "--debug prints the stack)");
            if (debug) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        try {
            return cli.execute(rest);
        } catch (OutOfMemoryError e) {
            System.err.println("error: the input needs more memory than this JVM has (" + (Runtime.getRuntime()
                    .maxMemory() >> 20) + " MB heap)");
            System.err.println("hint: make the scenario smaller (fewer hosts, shorter duration), or give the JVM more, "
                    + "e.g. JAVA_TOOL_OPTIONS=-Xmx8g");
            return 2;
        } catch (StackOverflowError e) {
            System.err.println("internal error: " + e + " (please report it with the command line and its input)");
            if (debug) {
                e.printStackTrace();
            }
            return 1;
        }
    }

    private static Object command(String name) {
        return switch (name) {
            case "simulate" -> new SimulateCommand();
            case "report" -> new ReportCommand();
            case "analyze" -> new AnalyzeCommand();
            case "advise" -> new AdviseCommand();
            case "collect" -> new CollectCommand();
            case "lab" -> new LabCommand();
            case "capacity" -> new CapacityCommand();
            case "sweep" -> new SweepCommand();
            case "conform" -> new ConformCommand();
            case "bench" -> new BenchCommand();
            case "profiles" -> new ProfilesCommand();
            default -> throw new IllegalArgumentException(name);
        };
    }
}
