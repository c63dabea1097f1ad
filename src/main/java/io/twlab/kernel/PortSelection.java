package io.twlab.kernel;

/** How connect() picks an ephemeral port (net/ipv4/inet_hashtables.c __inet_hash_connect). */
public enum PortSelection {
    /** ≤4.5: offset = secure hash(saddr, daddr, dport) + global hint, then sequential. */
    HASHED_OFFSET_SEQUENTIAL,
    /** 4.6+ (1580ab63fc9a): same start, but even ports are tried first, stepping by 2, odd ports after. */
    HASHED_OFFSET_EVEN_FIRST
}
