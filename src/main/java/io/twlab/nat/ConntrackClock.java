package io.twlab.nat;

import io.twlab.engine.Simulator;

/**
 * When a conntrack timeout runs out. nf_conntrack stamps an entry with {@code nfct_time_stamp + timeout} in jiffies
 * (nf_ct_refresh_acct) and counts it expired once jiffies reach that stamp (nf_ct_is_expired): the timeout runs
 * from the start of the jiffy the packet arrived in, so an entry dies up to one jiffy (4 ms at HZ 250) before
 * "arrival + timeout". There is no per-entry timer since 4.7, hence no timer-wheel rounding. A gateway that is not
 * Linux keeps exact times.
 *
 * @param jiffyNs length of a jiffy, 0 for exact times
 * @param phaseNs where the gateway's jiffy boundaries fall relative to simulated time 0 (its uptime's fraction)
 */
public record ConntrackClock(long jiffyNs, long phaseNs) {
    public static final ConntrackClock EXACT = new ConntrackClock(0, 0);

    public static ConntrackClock ofHz(int hz, long phaseNs) {
        long jiffy = Simulator.NS_PER_SEC / hz;
        return new ConntrackClock(jiffy, Math.floorMod(phaseNs, jiffy));
    }

    /** The simulated time at which an entry refreshed at {@code nowNs} with {@code timeoutNs} has expired. */
    public long expiry(long nowNs, long timeoutNs) {
        if (jiffyNs == 0) {
            return nowNs + timeoutNs;
        }
        long jiffyStart = Math.floorDiv(nowNs + phaseNs, jiffyNs) * jiffyNs - phaseNs;
        long timeoutJiffies = (timeoutNs + jiffyNs - 1) / jiffyNs; // timeouts are whole seconds: exact
        return jiffyStart + timeoutJiffies * jiffyNs;
    }
}
