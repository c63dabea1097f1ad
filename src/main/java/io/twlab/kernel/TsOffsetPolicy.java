package io.twlab.kernel;

/** What the random TSval offset of a connection depends on (net/core/secure_seq.c by version). */
public enum TsOffsetPolicy {
    /** ≤4.9: no offset; every connection of a host shows the host clock. */
    NONE,
    /** 4.10: a random offset per connection (95a22caee396). */
    PER_CONNECTION,
    /** 4.11+: siphash(saddr, daddr) (28ee1b746f49 "downgrade to per-host timestamp offsets"). */
    PER_ADDRESS_PAIR,
    /** 2026 (165573e41f2f, backported to 6.12-stable; observed on 6.18.44): siphash of the 4-tuple. */
    PER_FOUR_TUPLE
}
