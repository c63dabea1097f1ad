package io.twlab.scenario;

import java.util.Map;

/**
 * {@code count} hosts with consecutive addresses from {@code firstAddress}, all on one kernel profile.
 * Uptimes at the start of the run are drawn uniformly in [uptimeMin, uptimeMax] per host (they set the
 * TSval clocks of jiffies-based kernels).
 */
public record HostGroupSpec(String name, int count, String kernel, int hz, int firstAddress,
                            Map<String, Long> sysctls, int backlog, long uptimeMinNs, long uptimeMaxNs) {
}
