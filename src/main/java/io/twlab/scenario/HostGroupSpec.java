package io.twlab.scenario;

import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Sysctls;

import java.util.Map;

/**
 * {@code count} hosts with consecutive addresses from {@code firstAddress}, all on one kernel profile, resolved
 * and checked when the scenario is bound. Uptimes at the start of the run are drawn uniformly in
 * [uptimeMin, uptimeMax] per host (they set the TSval clocks of jiffies-based kernels).
 *
 * @param sysctls          the overrides as the scenario writes them (what {@code twlab lab} applies with sysctl -w)
 * @param effectiveSysctls the profile's defaults with those overrides, shared by the group's hosts
 */
public record HostGroupSpec(String name, int count, KernelProfile profile, int hz, int firstAddress,
                            Map<String, Long> sysctls, Sysctls effectiveSysctls, int backlog, long uptimeMinNs,
                            long uptimeMaxNs) {
    /** The kernel profile's name. */
    public String kernel() {
        return profile.name();
    }
}
