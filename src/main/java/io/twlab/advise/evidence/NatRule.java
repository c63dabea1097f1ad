package io.twlab.advise.evidence;

/**
 * A source-NAT rule of a NAT box as nftables or iptables-save shows it.
 *
 * @param kind      "snat" or "masquerade"
 * @param addresses the public addresses ("to 20.1.1.1" or a range "20.1.1.1-20.1.1.3"); empty for masquerade
 *                  (the outgoing interface's address)
 * @param portLow   first port, or 0 when the rule gives no range (nf_nat's default: 1024-65535 for ports above 1023)
 * @param flags     "none", "random" or "fully-random" (persistent is kept in {@code text})
 */
public record NatRule(String kind, java.util.List<String> addresses, int portLow, int portHigh, String flags,
                      String text, String file, int line) {
    public String source() {
        return file + ":" + line;
    }

    /** Ports per address: the rule's range, or nf_nat's default 1024-65535 (nf_nat_core.c, get_unique_tuple). */
    public int ports() {
        return portLow == 0 ? 65535 - 1024 + 1 : portHigh - portLow + 1;
    }
}
