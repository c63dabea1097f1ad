package io.twlab.nat;

import java.util.Locale;

/**
 * The port-randomisation flag of a Linux SNAT rule (nft {@code snat to ... random|fully-random}, iptables
 * {@code --random|--random-fully}). Both skip get_unique_tuple's "keep the original port" (RANDOM_ALL). Where they
 * differ is the rover-era search (nf_nat_proto_common.c, before 5.0): {@code random} starts at a keyed hash of the
 * addresses and destination port (secure_port), so one inside host's connections to one server all start at the
 * same offset; {@code fully-random} starts at a pseudo-random one. From 5.0 (a504b703bb1d) every SNAT search starts
 * at a random offset, so the two behave alike there.
 */
public enum NatRandomFlag {
    NONE, RANDOM, FULLY_RANDOM;

    /** The scenario and nft spelling: none, random, fully-random. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
