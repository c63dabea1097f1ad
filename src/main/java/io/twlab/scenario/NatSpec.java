package io.twlab.scenario;

import io.twlab.kernel.KernelProfile;
import io.twlab.nat.NatRandomFlag;
import io.twlab.nat.NatTimeouts;
import io.twlab.nat.PortAllocation;

import java.util.List;

/**
 * A SNAT device: inside host groups, public addresses, port range, allocator, mapping timeouts. {@code kernel} is
 * the gateway's profile for allocation: linux (its nf_nat port search), null for the other allocators.
 */
public record NatSpec(String name, List<String> inside, int[] publicIps, int portLow, int portHigh,
                      PortAllocation allocation, KernelProfile kernel, NatRandomFlag randomFlag, NatTimeouts timeouts,
                      boolean dropInvalid, int conntrackMax, int cpus,
                      long clashWindowNs) {
}
