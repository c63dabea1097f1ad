package io.twlab.workload;

import java.util.Arrays;

/**
 * Offered connection rate over time: piecewise linear through (time, rate) points, held after the last point,
 * optionally repeating with a period (a daily curve).
 */
public final class RateProfile {
    private final long[] timesNs;
    private final double[] rates;
    private final long periodNs;
    private final boolean constant;

    public RateProfile(long[] timesNs, double[] rates, long periodNs) {
        if (timesNs.length == 0 || timesNs.length != rates.length) {
            throw new IllegalArgumentException("a rate profile needs matching, non-empty points");
        }
        this.timesNs = timesNs.clone();
        this.rates = rates.clone();
        this.periodNs = periodNs;
        this.constant = Arrays.stream(rates).allMatch(r -> r == rates[0]);
    }

    public static RateProfile constant(double perSecond) {
        return new RateProfile(new long[] {0}, new double[] {perSecond}, 0);
    }

    /** Connections per second at simulation time t. */
    public double rateAt(long t) {
        if (periodNs > 0) {
            t = Math.floorMod(t, periodNs);
        }
        if (t <= timesNs[0]) {
            return rates[0];
        }
        int i = Arrays.binarySearch(timesNs, t);
        if (i >= 0) {
            return rates[i];
        }
        int hi = -i - 1;
        if (hi >= timesNs.length) {
            return rates[rates.length - 1];
        }
        int lo = hi - 1;
        double f = (double) (t - timesNs[lo]) / (timesNs[hi] - timesNs[lo]);
        return rates[lo] + f * (rates[hi] - rates[lo]);
    }

    /** True when the rate never changes (a single point, or all points equal). */
    public boolean isConstant() {
        return constant;
    }

    public double maxRate() {
        return Arrays.stream(rates).max().orElse(0);
    }


}
