package io.twlab.analyzer.corpus;

/**
 * A sending host's TCP timestamp clock, as the kernels documented in shared/reference/kernel-facts.md produce it:
 * before 4.10 TSval is jiffies (HZ ticks per second, starting at INITIAL_JIFFIES = -300 s x HZ at boot); a 1 ms
 * clock of another OS starts at 0; Linux 4.13+ sends a 1 ms clock since boot plus a random offset per connection.
 * Rates drift by the crystal's ppm. A host may reboot: it is down for a while and its clock starts again.
 */
final class Clock {
    final double hz;
    final double ppm;
    final double bootTicks;
    final double uptimeAtStart;
    final boolean perConnectionOffsets;
    final double rebootAt;
    final double downFor;

    private Clock(double hz, double ppm, double bootTicks, double uptimeAtStart, boolean perConnectionOffsets,
                  double rebootAt, double downFor) {
        this.hz = hz;
        this.ppm = ppm;
        this.bootTicks = bootTicks;
        this.uptimeAtStart = uptimeAtStart;
        this.perConnectionOffsets = perConnectionOffsets;
        this.rebootAt = rebootAt;
        this.downFor = downFor;
    }

    /** Linux before 4.10: jiffies at {@code hz}. */
    static Clock jiffies(int hz, double ppm, double uptimeAtStart) {
        return new Clock(hz, ppm, -300.0 * hz, uptimeAtStart, false, Double.NaN, 0);
    }

    /** A 1 ms tick from 0 at boot (other systems' per-host TS clocks). */
    static Clock millis(double ppm, double uptimeAtStart) {
        return new Clock(1000, ppm, 0, uptimeAtStart, false, Double.NaN, 0);
    }

    /** Linux 4.13+ with per-connection offsets: ms since boot plus a random offset chosen per connection. */
    static Clock perConnection(double uptimeAtStart) {
        return new Clock(1000, 0, 0, uptimeAtStart, true, Double.NaN, 0);
    }

    /** The same clock, rebooting at {@code at} s (capture time) and up again {@code down} s later. */
    Clock rebooting(double at, double down) {
        return new Clock(hz, ppm, bootTicks, uptimeAtStart, perConnectionOffsets, at, down);
    }

    boolean up(double t) {
        return Double.isNaN(rebootAt) || t < rebootAt || t >= rebootAt + downFor;
    }

    double uptime(double t) {
        if (!Double.isNaN(rebootAt) && t >= rebootAt + downFor) {
            return t - rebootAt - downFor;
        }
        return uptimeAtStart + t;
    }

    /** TSval at capture time t (seconds) for a connection with the given offset (0 unless per-connection). */
    long tsVal(double t, long connectionOffset) {
        double ticks = bootTicks + uptime(t) * hz * (1 + ppm * 1e-6);
        return ((long) Math.floor(ticks) + connectionOffset) & 0xffffffffL;
    }
}
