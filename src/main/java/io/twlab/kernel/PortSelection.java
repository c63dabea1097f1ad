package io.twlab.kernel;

/** How connect() picks an ephemeral port (net/ipv4/inet_hashtables.c __inet_hash_connect). */
public enum PortSelection {
    /** ≤4.5: offset = secure hash(saddr, daddr, dport) + global hint, then sequential. */
    HASHED_OFFSET_SEQUENTIAL,
    /** 4.6+ (1580ab63fc9a): same start, but even ports are tried first, stepping by 2, odd ports after. */
    HASHED_OFFSET_EVEN_FIRST,
    /**
     * 5.18+ (2022, after 190cc82489f4's 5.12 perturbation table): the hash also takes jiffies / 10 s
     * (net/core/secure_seq.c EPHEMERAL_PORT_SHUFFLE_PERIOD), picks one of 2^16 perturbation buckets that each
     * success advances by a randomised step; even ports first as before.
     */
    PERTURBED_TIME_SEEDED
}
