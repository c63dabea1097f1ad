package io.twlab.tcp;

import io.twlab.engine.Simulator;

/**
 * A host's view of time: jiffies since boot (the host booted {@code uptimeAtStartNs} before the simulation
 * began), the seconds clock PAWS uses, and the raw TSval clock. HZ must divide 1000 (100, 250 or 1000).
 */
public final class HostClock {
    private final long uptimeAtStartNs;
    private final int hz;
    private final int msPerJiffy;

    public HostClock(long uptimeAtStartNs, int hz) {
        if (1000 % hz != 0) {
            throw new IllegalArgumentException("HZ must divide 1000 (100, 250 or 1000), got " + hz);
        }
        this.uptimeAtStartNs = uptimeAtStartNs;
        this.hz = hz;
        this.msPerJiffy = 1000 / hz;
    }

    public int hz() {
        return hz;
    }

    public long jiffyNs() {
        return msPerJiffy * Simulator.NS_PER_MS;
    }

    public long uptimeNs(long simNs) {
        return uptimeAtStartNs + simNs;
    }

    public long jiffies(long simNs) {
        return (uptimeNs(simNs) / Simulator.NS_PER_MS) / msPerJiffy;
    }

    /** Simulation time at which jiffy {@code j} begins, never before {@code notBefore}. */
    public long simTimeOfJiffy(long j, long notBefore) {
        long t = j * msPerJiffy * Simulator.NS_PER_MS - uptimeAtStartNs;
        return Math.max(t, notBefore);
    }

    /** The whole-seconds counter of ts_recent_stamp (get_seconds()/ktime_get_seconds()). */
    public long seconds(long simNs) {
        return uptimeNs(simNs) / Simulator.NS_PER_SEC;
    }

    public long millis(long simNs) {
        return uptimeNs(simNs) / Simulator.NS_PER_MS;
    }

    /**
     * The kernel's jiffies variable: it starts 300 s before its 32-bit wrap (INITIAL_JIFFIES, include/linux/jiffies.h)
     * and, as a 64-bit unsigned long, goes on past it.
     */
    public long kernelJiffies(long simNs) {
        return (1L << 32) - 300L * hz + jiffies(simNs);
    }

    /** TSval before any offset: the low 32 bits of jiffies on jiffies kernels, ms since boot otherwise. */
    public int rawTimestamp(long simNs, boolean jiffiesClock) {
        return jiffiesClock ? (int) kernelJiffies(simNs) : (int) millis(simNs);
    }
}
