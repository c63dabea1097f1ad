package io.twlab.analyzer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The clock-line fit on hand-made samples (time, TSval): each host's rate measured, crossing lines told apart but
 * with less confidence, a short capture never trusted fully, per-connection offsets not taken for hosts.
 */
class ClockLinesTest {
    /** Samples of hosts given as {rate Hz, TSval at t = 0}, one connection every {@code gap} s in turn, for {@code span} s. */
    private static ClockLines.Result fit(double[][] hosts, double gap, double span, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<long[]> samples = new ArrayList<>();
        int k = 0;
        for (double t = 0; t < span; t += gap) {
            double[] h = hosts[k++ % hosts.length];
            double jittered = t - rnd.nextDouble() * 0.001;
            samples.add(new long[]{Math.round(t * 1e9), ((long) Math.floor(h[1] + h[0] * jittered)) & 0xffffffffL, k});
        }
        return fit(samples);
    }

    /** Fits samples given as {time ns, TSval, 4-tuple key}, each its connection's first. */
    private static ClockLines.Result fit(List<long[]> samples) {
        int n = samples.size();
        long[] time = new long[n];
        int[] ts = new int[n];
        int[] tuple = new int[n];
        boolean[] first = new boolean[n];
        for (int i = 0; i < n; i++) {
            time[i] = samples.get(i)[0];
            ts[i] = (int) samples.get(i)[1];
            tuple[i] = (int) samples.get(i)[2];
            first[i] = true;
        }
        return ClockLines.fit(time, ts, first, tuple, n);
    }

    @Test
    void measuresEachHostsOwnRateIncludingItsDrift() {
        // 1000 Hz + 500 ppm = 1000.5 ticks/s and 250 Hz - 400 ppm = 249.9 ticks/s, 60 s of samples.
        ClockLines.Result r = fit(new double[][]{{1000.5, 7e8}, {249.9, 2e9}}, 0.05, 60, 1);
        assertThat(r.hosts()).hasSize(2);
        ClockLines.Host fast = r.hosts().stream().filter(h -> h.nominalHz() == 1000).findFirst().orElseThrow();
        ClockLines.Host slow = r.hosts().stream().filter(h -> h.nominalHz() == 250).findFirst().orElseThrow();
        // Two ticks of uncertainty over 60 s is 0.03 Hz: 1000.5 +- 0.05, 249.9 +- 0.05.
        assertThat(fast.rateHz()).isBetween(1000.45, 1000.55);
        assertThat(fast.ppm()).isBetween(450, 550);
        assertThat(slow.rateHz()).isBetween(249.85, 249.95);
        assertThat(r.confidence()).isEqualTo(1.0);
    }

    @Test
    void linesThatCrossAreTwoHostsButLessCertain() {
        // 1000 Hz from 1,000,000 and 250 Hz from 1,015,000 meet where 1000 t = 15,000 + 250 t: t = 20 s.
        ClockLines.Result crossing = fit(new double[][]{{1000, 1_000_000}, {250, 1_015_000}}, 0.04, 40, 2);
        ClockLines.Result apart = fit(new double[][]{{1000, 1_000_000}, {250, 900_000_000}}, 0.04, 40, 2);
        assertThat(crossing.hosts()).hasSize(2);
        assertThat(apart.hosts()).hasSize(2);
        assertThat(crossing.closeLinePairs()).isEqualTo(1);
        assertThat(apart.closeLinePairs()).isZero();
        assertThat(crossing.confidence()).isLessThan(apart.confidence());
    }

    @Test
    void aShortCaptureIsNeverFullyTrusted() {
        // 6 s of traffic: confidence scales with span / 30 s, so at most 0.2.
        ClockLines.Result r = fit(new double[][]{{1000, 5e8}, {250, 3e9}, {100, 1e9}}, 0.04, 6, 3);
        assertThat(r.hosts()).hasSize(3);
        assertThat(r.confidence()).isLessThanOrEqualTo(0.2);
    }

    @Test
    void perConnectionOffsetsAreNotHosts() {
        SplittableRandom rnd = new SplittableRandom(4);
        List<long[]> samples = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            samples.add(new long[]{i * 40_000_000L, rnd.nextInt() & 0xffffffffL, i});
        }
        ClockLines.Result r = fit(samples);
        assertThat(r.perConnectionOffsets()).isTrue();
        assertThat(r.hosts()).isEmpty();
        assertThat(r.hostCount()).isNull();
    }

    @Test
    void aTupleReusedWithItsOwnOffsetIsNotAHost() {
        // Linux 4.10+ hashes the 4-tuple into the offset: one port reused every 2 s rises at 1000 Hz on its own line.
        List<long[]> samples = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            samples.add(new long[]{i * 2_000_000_000L, 123_456_789 + 2000L * i, 42});
        }
        ClockLines.Result r = fit(samples);
        assertThat(r.hosts()).isEmpty();
        assertThat(r.perConnectionConnections()).isEqualTo(30);
    }

    @Test
    void briefLinesAmongPerConnectionOffsetsAreNotHosts() {
        // 300 connections with random offsets over 60 s, and three bursts of 4 connections within 1.5 s on one
        // 1000 Hz line each (one inside port of a 4.10+ host mapped to new NAT ports): no host clock.
        SplittableRandom rnd = new SplittableRandom(5);
        List<long[]> samples = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            samples.add(new long[]{i * 200_000_000L, rnd.nextInt() & 0xffffffffL, i});
        }
        for (int b = 0; b < 3; b++) {
            long base = rnd.nextInt() & 0xffffffffL;
            for (int k = 0; k < 4; k++) {
                long t = (10_000_000_000L + b * 15_000_000_000L) + k * 500_000_000L;
                samples.add(new long[]{t, (base + t / 1_000_000) & 0xffffffffL, 1000 + 10 * b + k});
            }
        }
        ClockLines.Result r = fit(samples);
        assertThat(r.perConnectionOffsets()).isTrue();
        assertThat(r.hosts()).isEmpty();
        assertThat(r.perConnectionConnections()).isEqualTo(312);
    }

    @Test
    void aSynResentThroughNewNatPortsIsOneConnectionNotAHost() {
        // As on the real 6.18 lab runs: 40 connections whose SYN is re-sent five times on the doubling RTO (1, 2, 4,
        // 8, 16 s: 31 s from first to last try, long enough to pass for a host's line) with the same ISN, TSval
        // advancing at 1000 Hz, through a NAT that gives every try a new port, among 300 random-offset connections.
        SplittableRandom rnd = new SplittableRandom(6);
        SharedAddressDetector.Samples samples = new SharedAddressDetector.Samples("198.19.0.1");
        int port = 0;
        for (int i = 0; i < 300; i++) {
            samples.add(i * 200_000_000L, rnd.nextInt(), port++, rnd.nextInt());
        }
        for (int c = 0; c < 40; c++) {
            int isn = rnd.nextInt();
            int ts = rnd.nextInt();
            long t = c * 1_500_000_000L;
            for (int at : new int[]{0, 1, 3, 7, 15, 31}) {
                samples.add(t + at * 1_000_000_000L, ts + 1000 * at, port++, isn);
            }
        }
        ClockLines.Result r = SharedAddressDetector.fit(samples);
        assertThat(r.hosts()).isEmpty();
        // 300 + 40 connections, the 200 re-sends not counted again.
        assertThat(r.connections()).isEqualTo(340);
        assertThat(r.perConnectionOffsets()).isTrue();
    }
}
