package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;
import io.twlab.report.Finding.Severity;
import it.unimi.dsi.fastutil.objects.Object2ObjectOpenHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Counts the hosts behind one source address from their TCP timestamps. Before Linux 4.10 (and on other stacks
 * without per-connection offsets) TSval is a host-wide clock: TSval = offset + rate x time, one line per host. For
 * each connection's SYN we take (time, TSval); for each candidate clock rate (1000, 300, 250, 100 Hz) the offsets
 * TSval - rate x time form one tight group per host; the rate giving the fewest groups is the clock, and the
 * groups are the hosts. When nearly every connection has its own offset, the stack randomizes offsets per
 * connection (Linux 4.10+) and hosts cannot be counted this way.
 */
final class SharedAddressDetector implements Detector {
    private static final int[] RATES = {1000, 300, 250, 100};
    private static final int MAX_SAMPLES = 50_000;

    private final Object2ObjectOpenHashMap<AddressPair, Samples> bySource = new Object2ObjectOpenHashMap<>();
    private final AddressPair probe = new AddressPair();
    private final List<Map<String, Object>> sources = new ArrayList<>();

    /** SYN timestamps of one source address, thinned by doubling a stride when full (deterministic). */
    static final class Samples {
        final String address;
        long[] timeNs = new long[256];
        int[] tsVal = new int[256];
        int size;
        int stride = 1;
        long seen;

        Samples(String address) {
            this.address = address;
        }

        void add(long t, int ts) {
            if (seen++ % stride != 0) {
                return;
            }
            if (size == timeNs.length) {
                if (size >= MAX_SAMPLES) {
                    for (int i = 0; i < size / 2; i++) {
                        timeNs[i] = timeNs[2 * i];
                        tsVal[i] = tsVal[2 * i];
                    }
                    size /= 2;
                    stride *= 2;
                } else {
                    timeNs = Arrays.copyOf(timeNs, size * 2);
                    tsVal = Arrays.copyOf(tsVal, size * 2);
                }
            }
            timeNs[size] = t;
            tsVal[size] = ts;
            size++;
        }
    }

    @Override
    public void onSegment(Segment s, Flow f, boolean fromClient, int events) {
        if (!fromClient || (events & Tracker.NEW_GENERATION) == 0 || !s.hasTimestamp) {
            return;
        }
        Samples samples = bySource.get(probe.set(s.srcHi, s.srcLo, 0, 0));
        if (samples == null) {
            samples = new Samples(s.src());
            bySource.put(probe.copy(), samples);
        }
        samples.add(s.timeNs, s.tsVal);
    }

    /** The estimate for one address: its clock, its host groups, and how sure we are. */
    record Estimate(int rate, int hosts, int groups, boolean randomized, double confidence, double spanSeconds,
                    long[] groupOffsets, int[] groupSizes, long t0Ns) {
    }

    /** What the report draws for one address: its samples (in time order) and the estimate. */
    record Chart(String ip, long[] timeNs, int[] tsVal, Estimate estimate) {
    }

    private final List<Chart> charts = new ArrayList<>();

    /** Addresses shared by several hosts or with per-connection offsets, most connections first, at most six. */
    List<Chart> charts() {
        return charts;
    }

    static Estimate estimate(long[] timeNs, int[] tsVal, int n) {
        long t0 = Long.MAX_VALUE;
        long t1 = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            t0 = Math.min(t0, timeNs[i]);
            t1 = Math.max(t1, timeNs[i]);
        }
        int bestRate = RATES[0];
        double bestScore = Double.MAX_VALUE;
        double secondScore = Double.MAX_VALUE;
        int bestGroups = 0;
        long[] bestOffsets = null;
        int[] bestSizes = null;
        for (int rate : RATES) {
            long[] offsets = new long[n];
            for (int i = 0; i < n; i++) {
                long ticks = Math.round((timeNs[i] - t0) * (rate / 1e9));
                offsets[i] = (tsVal[i] - ticks) & 0xffffffffL;
            }
            Arrays.sort(offsets);
            long tolerance = Math.max(3, Math.round(rate * 0.05));
            List<long[]> groups = new ArrayList<>(); // {first offset, last offset, size}
            for (int i = 0; i < n; i++) {
                if (i == 0 || offsets[i] - offsets[i - 1] > tolerance) {
                    groups.add(new long[]{offsets[i], offsets[i], 0});
                }
                long[] g = groups.get(groups.size() - 1);
                g[1] = offsets[i];
                g[2]++;
            }
            // The offsets live on a circle of 2^32: the last group may continue into the first.
            if (groups.size() > 1 && offsets[0] + (1L << 32) - offsets[n - 1] <= tolerance) {
                long[] last = groups.remove(groups.size() - 1);
                long[] first = groups.get(0);
                first[0] = last[0];
                first[1] += 1L << 32;
                first[2] += last[2];
            }
            // At the true rate each host is one tight group; at a wrong one each host smears over
            // |rate - true| x span ticks (wide groups) or breaks up (many groups). Both raise the score.
            double width = 0;
            for (long[] g : groups) {
                width += g[1] - g[0];
            }
            double score = groups.size() + width / tolerance;
            if (score < bestScore) {
                secondScore = bestScore;
                bestScore = score;
                bestRate = rate;
                bestGroups = groups.size();
                bestOffsets = groups.stream().mapToLong(g -> g[0] & 0xffffffffL).toArray();
                bestSizes = groups.stream().mapToInt(g -> (int) g[2]).toArray();
            } else if (score < secondScore) {
                secondScore = score;
            }
        }
        double span = (t1 - t0) / 1e9;
        boolean randomized = n >= 10 && bestGroups >= 0.5 * n;
        int minSize = n >= 20 ? 2 : 1;
        int hosts = 0;
        long covered = 0;
        for (int size : bestSizes) {
            if (size >= minSize) {
                hosts++;
                covered += size;
            }
        }
        // Sure when the chosen clock rate groups far better than any other and the groups cover the samples.
        double contrast = secondScore == Double.MAX_VALUE ? 0 : 1 - bestScore / secondScore;
        double confidence = randomized ? 0 : Math.max(0, Math.min(1, contrast * covered / n
                * Math.min(1, span / 30)));
        return new Estimate(bestRate, randomized ? -1 : hosts, bestGroups, randomized,
                Math.round(confidence * 100) / 100.0, span, bestOffsets, bestSizes, t0);
    }

    List<Map<String, Object>> sources() {
        return sources;
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        List<Samples> all = new ArrayList<>(bySource.values());
        all.sort((a, b) -> a.address.compareTo(b.address));
        for (Samples s : all) {
            if (s.size < 2) {
                continue;
            }
            Estimate e = estimate(s.timeNs, s.tsVal, s.size);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ip", s.address);
            m.put("connections", s.seen);
            m.put("samples", s.size);
            m.put("spanSeconds", Math.round(e.spanSeconds() * 10) / 10.0);
            m.put("tsClockHz", e.randomized() ? null : e.rate());
            m.put("hosts", e.randomized() ? null : e.hosts());
            m.put("perConnectionOffsets", e.randomized());
            m.put("confidence", e.confidence());
            sources.add(m);
            if (e.randomized() || e.hosts() >= 2) {
                charts.add(new Chart(s.address, Arrays.copyOf(s.timeNs, s.size), Arrays.copyOf(s.tsVal, s.size), e));
            }
            if (!e.randomized() && e.hosts() >= 2) {
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("ip", s.address);
                facts.put("hosts", e.hosts());
                facts.put("tsClockHz", e.rate());
                facts.put("confidence", e.confidence());
                facts.put("connections", s.seen);
                facts.put("hostConnections", Arrays.stream(e.groupSizes()).boxed().toList());
                out.add(new AnalysisFinding("nat-shared-ip", Severity.WARNING, e.hosts(), String.format(Locale.ROOT,
                        "%s is shared by about %d hosts (confidence %.2f): the TSvals of its %,d connections over %.0f s "
                                + "fall on %d separate %d Hz clock lines, one per host uptime. Through one address their "
                                + "timestamps interleave out of order, which is what makes PAWS reject reused 4-tuples in "
                                + "TIME_WAIT and tcp_tw_recycle drop SYNs.", s.address, e.hosts(), e.confidence(), s.seen,
                        e.spanSeconds(), e.hosts(), e.rate()), List.of(), facts));
            }
        }
        charts.sort((a, b) -> Integer.compare(b.timeNs().length, a.timeNs().length));
        if (charts.size() > 6) {
            charts.subList(6, charts.size()).clear();
        }
    }
}
