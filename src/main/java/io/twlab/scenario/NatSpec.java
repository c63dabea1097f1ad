package io.twlab.scenario;

import io.twlab.nat.NatTimeouts;
import io.twlab.nat.PortAllocation;

import java.util.List;

/** A SNAT device: inside host groups, public addresses, port range, allocator, mapping timeouts. */
public record NatSpec(String name, List<String> inside, int[] publicIps, int portLow, int portHigh,
                      PortAllocation allocation, String kernel, boolean randomFlag, NatTimeouts timeouts,
                      boolean dropInvalid) {
}
