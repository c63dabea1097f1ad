package io.twlab.cli;

import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Profiles;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "profiles", mixinStandardHelpOptions = true, description = "List the kernel profiles and what they select.")
final class ProfilesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (String name : Profiles.names()) {
            KernelProfile p = Profiles.get(name);
            System.out.printf("%-20s HZ %-4d %-32s TS offsets %-17s initial RTO %d ms  %s%n", p.name(), p.defaultHz(),
                    p.reaper(), p.tsOffset(), p.initialRtoMs(), p.source());
        }
        return 0;
    }
}
