package io.twlab.kernel;

import io.twlab.engine.Simulator;

/**
 * When a timeout kept in jiffies by a gateway or director runs out.
 * <ul>
 * <li>nf_conntrack stamps an entry with {@code nfct_time_stamp + timeout} (nf_ct_refresh_acct) and counts it
 * expired once jiffies reach that stamp (nf_ct_is_expired): the timeout runs from the start of the jiffy the packet
 * arrived in, so an entry dies up to one jiffy (4 ms at HZ 250) before "arrival + timeout". It has no per-entry
 * timer since 4.7, hence no wheel rounding.</li>
 * <li>An IPVS entry's timer is armed with mod_timer(jiffies + timeout) (ip_vs_conn.c) and, from 4.8, rounded up by
 * the wheel ({@link TimerWheel}): a 120 s entry at HZ 250 lives up to 2 s longer.</li>
 * </ul>
 * A device that is not Linux keeps exact times ({@link #EXACT}).
 *
 * @param jiffyNs       length of a jiffy, 0 for exact times
 * @param phaseNs       where the device's jiffy boundaries fall relative to simulated time 0 (its uptime's fraction)
 * @param wheelRounding whether the expiry is a timer on the 4.8+ wheel
 */
public record JiffyClock(long jiffyNs, long phaseNs, boolean wheelRounding) {
    public static final JiffyClock EXACT = new JiffyClock(0, 0, false);

    /** Conntrack's clock: jiffies at {@code hz}, no wheel. */
    public static JiffyClock ofHz(int hz, long phaseNs) {
        return ofHz(hz, phaseNs, false);
    }

    public static JiffyClock ofHz(int hz, long phaseNs, boolean wheelRounding) {
        long jiffy = Simulator.NS_PER_SEC / hz;
        return new JiffyClock(jiffy, Math.floorMod(phaseNs, jiffy), wheelRounding);
    }

    /** The simulated time at which something refreshed at {@code nowNs} with {@code timeoutNs} has expired. */
    public long expiry(long nowNs, long timeoutNs) {
        if (jiffyNs == 0) {
            return nowNs + timeoutNs;
        }
        long jiffy = Math.floorDiv(nowNs + phaseNs, jiffyNs);
        long expires = jiffy + (timeoutNs + jiffyNs - 1) / jiffyNs; // timeouts are whole seconds: exact
        if (wheelRounding) {
            expires = TimerWheel.expiry(expires, jiffy);
        }
        return expires * jiffyNs - phaseNs;
    }
}
