package io.twlab.nat;

/** How a SNAT device picks the public source port of a new flow. */
public enum PortAllocation {
    /** A cursor that walks the whole (address, port) range in order and wraps, skipping tuples in use:
     *  the firewall of seed 000 (2048-65535). Which vendor's allocator this is was not identified. */
    ROUND_ROBIN,
    /** A uniformly random free port. */
    RANDOM,
    /** Linux nf_nat as the gateway's kernel version does it (see {@link io.twlab.kernel.NatPortAllocation}). */
    LINUX
}
