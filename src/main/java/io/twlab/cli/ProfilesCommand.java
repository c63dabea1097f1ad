package io.twlab.cli;

import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.ProfileTable;
import io.twlab.kernel.Profiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "profiles", mixinStandardHelpOptions = true, description = "List the kernel profiles and what they select.")
final class ProfilesCommand implements Callable<Integer> {
    @Option(names = "--table", description = "print every profile in full: its derivation from the one before (each "
            + "change with version and source), each behaviour it selects and each sysctl with default and range")
    boolean table;

    @Override
    public Integer call() {
        if (table) {
            System.out.print(ProfileTable.render());
            return 0;
        }
        for (String name : Profiles.names()) {
            KernelProfile p = Profiles.get(name);
            System.out.printf("%-20s HZ %-4d %-32s TS offsets %-17s initial RTO %d ms  %s%n", p.name(), p.defaultHz(),
                    p.reaper(), p.tsOffset(), p.initialRtoMs(), p.derivedFrom() == null ? p.source()
                    : "= " + p.derivedFrom() + " + " + p.changes().size() + " changes");
        }
        return 0;
    }
}
