package io.twlab.kernel;

/** Linux nf_nat source-port search when the original port cannot be kept (net/netfilter/nf_nat_core.c). */
public enum NatPortAllocation {
    /** ≤4.x: a global rover, sequential scan over the whole range. */
    ROVER,
    /** 5.0+ and RHEL 3.10.0-1127: random start, min(range,128) consecutive tries, halving, give up. */
    RANDOM_BOUNDED,
    /** 6.x: as RANDOM_BOUNDED, and in the last 32 tries a conntrack entry in TIME_WAIT/CLOSE is evicted for a
     *  SYN whose sequence is after the old one (nf_nat_used_tuple_harder). */
    RANDOM_BOUNDED_EVICT_TIME_WAIT
}
