package io.twlab.ipvs;

/**
 * A full-NAT service's local addresses, from which each connection toward a real server gets its own source
 * (address, port). Alibaba LVS (ip_vs_fnat_alloc_lport): the next local address round-robin, its port counter
 * stepping from sysctl_ip_vs_lport_min (5000) and skipping tuples in use, 10,000 tries. Masquerade (nf_nat on
 * the director): the client's own port if free, as nf_nat keeps it, else the next free one from 1024.
 */
final class LocalAddressPool {
    private static final int LPORT_MIN = 5000;
    private static final int LPORT_TRIES = 10_000;
    private static final int MASQUERADE_MIN = 1024;

    private final int[] addresses;
    private final FullNatFlavor flavor;
    /** Per local address: Alibaba's sequential port counter. */
    private final int[] portCounters;
    private int nextAddress;

    LocalAddressPool(int[] addresses, FullNatFlavor flavor) {
        this.addresses = addresses.clone();
        this.flavor = flavor;
        this.portCounters = new int[addresses.length];
    }

    int[] addresses() {
        return addresses.clone();
    }

    /**
     * A free (address, port) toward {@code rs} for a client connecting from {@code clientPort}, packed as
     * address << 16 | port, or -1 when none is free.
     */
    long allocate(RealServer rs, int clientPort, IpvsConnectionTable table) {
        int li = nextAddress;
        nextAddress = (li + 1) % addresses.length;
        int laddr = addresses[li];
        long packedAddress = (laddr & 0xffffffffL) << 16;
        if (flavor == FullNatFlavor.MASQUERADE) {
            int range = 65535 - MASQUERADE_MIN + 1;
            for (int i = 0; i < range; i++) {
                int port = i == 0 && clientPort >= MASQUERADE_MIN
                        ? clientPort : MASQUERADE_MIN + Math.floorMod(clientPort - MASQUERADE_MIN + i, range);
                if (table.fromServer(rs.ip, rs.port, laddr, port) == null) {
                    return packedAddress | port;
                }
            }
            return -1;
        }
        int range = 65535 - LPORT_MIN + 1;
        for (int tries = 0; tries < LPORT_TRIES; tries++) {
            int port = LPORT_MIN + (++portCounters[li] % range);
            if (table.fromServer(rs.ip, rs.port, laddr, port) == null) {
                return packedAddress | port;
            }
        }
        return -1;
    }
}
