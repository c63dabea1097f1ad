package io.twlab.analyzer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tells apart the hosts behind one source address by their TCP timestamp clocks. A stack without per-connection
 * offsets (Linux before 4.10, where TSval is the low 32 bits of jiffies, include/net/tcp.h tcp_time_stamp; many other
 * systems' 1 ms clocks) emits TSval = offset + rate x time, one line per host, each host at its own rate (HZ 100,
 * 250, 300 or 1000, off by its crystal's drift). The samples (one per connection: its first TSval) are followed in
 * time order as tracks, the way a radar follows targets: a sample joins the track whose line predicts it within the
 * tolerance; a track's rate is unknown until it spans a second, and until then any slope between 10 and 1100 ticks/s
 * is allowed. Tracks of one connection are what per-connection offsets (Linux 4.10+, secure_tcp_ts_off) produce;
 * they are counted apart. Tracks split by a long silence are merged afterwards, stray samples attached to the line
 * they fall on, and a line that starts near a boot value after another line ended is that host rebooted
 * (jiffies restart at INITIAL_JIFFIES = -300 s x HZ, include/linux/jiffies.h; a 1 ms clock restarts near 0).
 */
final class ClockLines {
    static final double MIN_RATE = 10;
    static final double MAX_RATE = 1100;
    private static final int[] NOMINAL = {100, 250, 300, 1000};
    /** A track's rate is trusted once its samples span this long. */
    private static final double RATE_SPAN_S = 1.0;
    /** Time stamping jitter allowed between the sender reading its clock and the capture seeing the packet. */
    private static final double JITTER_S = 0.005;
    /** A track not heard from for this long is not continued (a later merge may still join it). */
    private static final double IDLE_S = 600;
    /** Reboot: a new line whose first TSval lies within this many seconds of a boot value. */
    private static final double BOOT_WINDOW_S = 1800;
    /** Where per-connection offsets are seen, a line must last this long (and a quarter of the capture) to be a host. */
    private static final double PERSISTENT_S = 10;
    /** The quadratic passes (merging, attaching strays) stop being attempted beyond this many pairs. */
    private static final long MAX_PAIRS = 50_000_000L;

    /** One host's clock line (several lines joined by reboots are one host). */
    record Host(double rateHz, Integer nominalHz, Integer ppm, int connections, long firstNs, long lastNs,
                int reboots, List<Segment> segments) {
    }

    /** A fitted stretch of one line: from its first to its last sample, TSval = firstTsVal + rate x (t - firstNs). */
    record Segment(long firstNs, long lastNs, long firstTsVal, double rateHz, int connections) {
    }

    record Result(List<Host> hosts, int perConnectionConnections, boolean perConnectionOffsets, int connections,
                  double spanSeconds, double confidence, int closeLinePairs) {
        /** Hosts with a clock line, plus one for the per-connection-offset connections (at least one host sent them). */
        Integer hostCount() {
            if (hosts.isEmpty() && perConnectionOffsets) {
                return null;
            }
            return hosts.size() + (perConnectionOffsets ? 1 : 0);
        }

        /** The usual rate whose lines carry the most connections (the clock the address mostly shows), or null. */
        Integer dominantNominalHz() {
            Map<Integer, Integer> byRate = new TreeMap<>();
            for (Host h : hosts) {
                if (h.nominalHz() != null) {
                    byRate.merge(h.nominalHz(), h.connections(), Integer::sum);
                }
            }
            Integer best = null;
            int most = 0;
            for (Map.Entry<Integer, Integer> e : byRate.entrySet()) {
                if (e.getValue() > most) {
                    best = e.getKey();
                    most = e.getValue();
                }
            }
            return best;
        }
    }

    /** A line being followed: its samples' running regression (Welford), in seconds and unwrapped ticks. */
    private static final class Track {
        final int id;
        final long firstNs;
        final long firstTs;
        long lastNs;
        long lastTs;
        long lastY;
        int samples;
        int connections;
        double meanX;
        double meanY;
        double sxx;
        double sxy;
        long indexKey = -1;
        /** The 4-tuple of its first sample, and whether all its samples share it (a per-4-tuple offset line). */
        int tuple;
        boolean oneTuple = true;
        Track mergedInto;
        int reboots;
        Track rebootOf;
        List<Segment> segments;

        Track(int id, long t, long ts) {
            this.id = id;
            this.firstNs = t;
            this.firstTs = ts;
            this.lastNs = t;
            this.lastTs = ts;
        }

        double x(long t) {
            return (t - firstNs) / 1e9;
        }

        double span() {
            return (lastNs - firstNs) / 1e9;
        }

        boolean rateKnown() {
            return span() >= RATE_SPAN_S && sxx > 0;
        }

        double rate() {
            return sxx > 0 ? sxy / sxx : Double.NaN;
        }

        /** TSval {@code ts} unwrapped on this track's scale, taking the nearest 2^32 turn after its last sample. */
        long unwrap(long ts) {
            return lastY + (int) (ts - lastTs);
        }

        void add(long t, long ts, boolean firstOfConnection, int tupleKey) {
            if (samples == 0) {
                tuple = tupleKey;
            } else if (tupleKey != tuple) {
                oneTuple = false;
            }
            long y = samples == 0 ? 0 : unwrap(ts);
            samples++;
            if (firstOfConnection) {
                connections++;
            }
            double x = x(t);
            double dx = x - meanX;
            meanX += dx / samples;
            double dy = y - meanY;
            meanY += dy / samples;
            sxx += dx * (x - meanX);
            sxy += dx * (y - meanY);
            if (t >= lastNs) {
                lastNs = t;
                lastTs = ts;
                lastY = y;
            }
        }

        /** Where the line puts TSval at time t (unwrapped ticks on this track's scale). */
        double predict(long t) {
            return meanY + rate() * (x(t) - meanX);
        }

        /** How far a sample may fall from the line at time t and still belong to it. */
        double tolerance(long t) {
            double r = rate();
            double far = Math.abs(x(t) - meanX);
            // Quantization (a tick either side), send-to-capture jitter, the rate's own uncertainty (two ticks over
            // the span) carried to t, and 100 ppm of slack for a drifting crystal.
            return 2.5 + r * JITTER_S + 2.0 / Math.max(RATE_SPAN_S, span()) * far + 1e-4 * r * far;
        }

        /** How well (lower is better, below 1 accepted) this track explains a sample; NaN when it cannot. */
        double cost(long t, long ts) {
            double dt = (t - lastNs) / 1e9;
            if (dt > IDLE_S) {
                return Double.NaN;
            }
            if (rateKnown()) {
                double residual = unwrap(ts) - predict(t);
                double tol = tolerance(t);
                return Math.abs(residual) <= tol ? Math.abs(residual) / tol : Double.NaN;
            }
            long dy = (int) (ts - lastTs);
            double slack = 3 + MAX_RATE * JITTER_S;
            if (dt < 0.05) {
                return dy >= -slack && dy <= MAX_RATE * dt + slack ? 1.5 : Double.NaN;
            }
            double slope = dy / dt;
            if (slope < MIN_RATE - slack / dt || slope > MAX_RATE + slack / dt) {
                return Double.NaN;
            }
            // An unproven track: prefer the slope nearest a common clock rate.
            double nearest = Double.MAX_VALUE;
            for (int hz : NOMINAL) {
                nearest = Math.min(nearest, Math.abs(slope - hz) / hz);
            }
            return 1 + Math.min(nearest, 0.9);
        }

        void absorb(Track o) {
            // Replays o's regression into this one through its two moments (both are exact sums).
            double offset = (o.firstNs - firstNs) / 1e9;
            long yShift = unwrapAt(o);
            int n = samples + o.samples;
            double oMeanX = o.meanX + offset;
            double oMeanY = o.meanY + yShift;
            double dx = oMeanX - meanX;
            double dy = oMeanY - meanY;
            double w = (double) samples * o.samples / n;
            sxx += o.sxx + dx * dx * w;
            sxy += o.sxy + dx * dy * w;
            meanX += dx * o.samples / n;
            meanY += dy * o.samples / n;
            samples = n;
            connections += o.connections;
            oneTuple &= o.oneTuple && o.tuple == tuple;
            if (o.lastNs > lastNs) {
                lastY = yShift + o.lastY;
                lastNs = o.lastNs;
                lastTs = o.lastTs;
            }
            o.mergedInto = this;
        }

        /** o's first TSval on this track's unwrapped scale (the turn nearest this line's prediction). */
        private long unwrapAt(Track o) {
            return unwrapNear(o.firstNs, o.firstTs);
        }

        /** TSval {@code ts} unwrapped to the 2^32 turn nearest where this line puts time t. */
        long unwrapNear(long t, long ts) {
            long base = (long) Math.floor(rateKnown() ? predict(t) : lastY);
            return base + (int) (ts - ((firstTs + base) & 0xffffffffL));
        }

        /** The line's TSval (mod 2^32) at time t. */
        long predictTs(long t) {
            return (firstTs + (long) Math.floor(predict(t))) & 0xffffffffL;
        }
    }

    private ClockLines() {
    }

    /**
     * Fits the lines of {@code n} samples: capture time, TSval, whether the sample is its connection's first (a
     * retransmitted SYN of the same connection is a sample but not a connection), and a hash of its 4-tuple.
     */
    static Result fit(long[] timeNs, int[] tsVal, boolean[] firstOfConnection, int[] tupleKey, int n) {
        int[] order = timeOrder(timeNs, n);
        List<Track> tracks = new ArrayList<>();
        // Tracks by their last TSval (high 32 bits) and id (low 31): a sample can only continue a track whose last
        // TSval lies at most MAX_RATE x IDLE_S ticks below its own.
        TreeMap<Long, Track> byLastTs = new TreeMap<>();
        long reach = (long) (MAX_RATE * IDLE_S) + 16;
        long t0 = n > 0 ? timeNs[order[0]] : 0;
        long t1 = n > 0 ? timeNs[order[n - 1]] : 0;
        int connections = 0;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            long t = timeNs[i];
            long ts = Integer.toUnsignedLong(tsVal[i]);
            if (firstOfConnection[i]) {
                connections++;
            }
            Track best = null;
            double bestCost = Double.MAX_VALUE;
            long lo = ts - reach;
            long hi = ts + 16 + (long) (MAX_RATE * JITTER_S);
            for (Track c : candidates(byLastTs, lo, hi)) {
                double cost = c.cost(t, ts);
                if (!Double.isNaN(cost) && (cost < bestCost || (cost == bestCost && c.id < best.id))) {
                    best = c;
                    bestCost = cost;
                }
            }
            if (best == null) {
                best = new Track(tracks.size(), t, ts);
                tracks.add(best);
            }
            if (best.indexKey >= 0) {
                byLastTs.remove(best.indexKey);
            }
            best.add(t, ts, firstOfConnection[i], tupleKey[i]);
            best.indexKey = best.lastTs << 31 | best.id;
            byLastTs.put(best.indexKey, best);
        }
        List<Track> lines = new ArrayList<>();
        List<Track> strays = new ArrayList<>();
        // Two points always make a line: a third one on it is the proof. Among many per-connection offsets, pairs
        // that happen to lie within a plausible slope of each other are expected, so two-connection tracks count as
        // hosts only where no per-connection offsets are seen. A line that never leaves one 4-tuple is a 4-tuple
        // reused with its own offset (Linux 4.10+ hashes the tuple, secure_tcp_ts_off), not a host clock.
        for (Track tr : tracks) {
            (tr.connections >= 3 && tr.rateKnown() && !tr.oneTuple ? lines : strays).add(tr);
        }
        mergeSplitLines(lines);
        attachStrays(lines, strays);
        // A few strays can be hosts seen once or samples the jitter pushed off their line; many are the
        // per-connection offsets of Linux 4.10+.
        boolean perConnectionOffsets = unplaced(strays) >= Math.max(5, 0.05 * connections);
        if (perConnectionOffsets) {
            // A 4.10+ host that reuses one inside port gets the same offset again; through a NAT that maps it to new
            // outside ports this draws a short line over several tuples (the real 6.18 lab runs show 3-5
            // connections over 1-3 s). Among per-connection offsets a host's clock line must last.
            double minSpan = Math.max(PERSISTENT_S, 0.25 * (t1 - t0) / 1e9);
            List<Track> brief = lines.stream().filter(l -> l.span() < minSpan).toList();
            lines.removeAll(brief);
            strays.addAll(brief);
        } else {
            List<Track> pairs = strays.stream().filter(s -> s.mergedInto == null && s.connections == 2
                    && s.rateKnown() && !s.oneTuple).toList();
            lines.addAll(pairs);
            strays.removeAll(pairs);
        }
        linkReboots(lines);
        int perConnection = unplaced(strays);
        List<Host> hosts = new ArrayList<>();
        int weakConnections = 0;
        for (Track line : lines) {
            if (line.mergedInto != null || line.rebootOf != null) {
                continue;
            }
            List<Segment> segments = new ArrayList<>();
            int conns = 0;
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            double rateSum = 0;
            double spanSum = 0;
            int reboots = 0;
            for (Track seg = line; seg != null; seg = next(lines, seg)) {
                segments.add(new Segment(seg.firstNs, seg.lastNs, seg.firstTs, seg.rate(), seg.connections));
                conns += seg.connections;
                first = Math.min(first, seg.firstNs);
                last = Math.max(last, seg.lastNs);
                rateSum += seg.rate() * seg.span();
                spanSum += seg.span();
                if (seg != line) {
                    reboots++;
                }
            }
            if (conns < 3) {
                weakConnections += conns;
            }
            double rate = rateSum / spanSum;
            Integer nominal = nominal(rate);
            Integer ppm = nominal == null ? null : (int) Math.round((rate / nominal - 1) * 1e6);
            hosts.add(new Host(Math.round(rate * 100) / 100.0, nominal, ppm, conns, first, last, reboots,
                    List.copyOf(segments)));
        }
        hosts.sort((a, b) -> Long.compare(a.firstNs(), b.firstNs()));
        int close = closeLinePairs(lines);
        double span = (t1 - t0) / 1e9;
        int strayUnexplained = perConnectionOffsets ? 0 : perConnection;
        double explained = connections == 0 ? 0 : 1 - (strayUnexplained + weakConnections) / (double) connections;
        int liveLines = Math.max(1, hosts.size());
        double confidence = connections < 2 ? 0 : Math.max(0, explained * Math.min(1, span / 30)
                * (1 - Math.min(1, close / (double) liveLines)));
        return new Result(List.copyOf(hosts), perConnection, perConnectionOffsets, connections, span,
                Math.round(confidence * 100) / 100.0, close);
    }

    private static int unplaced(List<Track> strays) {
        int n = 0;
        for (Track s : strays) {
            if (s.mergedInto == null) {
                n += s.connections;
            }
        }
        return n;
    }

    /** Sample indices in time order (ties by index); captures are nearly in order, so usually no sort is needed. */
    private static int[] timeOrder(long[] timeNs, int n) {
        int[] order = new int[n];
        boolean sorted = true;
        for (int i = 0; i < n; i++) {
            order[i] = i;
            sorted &= i == 0 || timeNs[i] >= timeNs[i - 1];
        }
        if (sorted) {
            return order;
        }
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = i;
        }
        Arrays.sort(boxed, (a, b) -> timeNs[a] != timeNs[b] ? Long.compare(timeNs[a], timeNs[b])
                : Integer.compare(a, b));
        for (int i = 0; i < n; i++) {
            order[i] = boxed[i];
        }
        return order;
    }

    /** Tracks whose last TSval lies in [lo, hi] on the circle of 2^32, in key order. */
    private static List<Track> candidates(TreeMap<Long, Track> byLastTs, long lo, long hi) {
        List<Track> out = new ArrayList<>();
        long span = 1L << 32;
        if (lo < 0) {
            out.addAll(byLastTs.subMap((lo + span) << 31, true, Long.MAX_VALUE, true).values());
            lo = 0;
        }
        if (hi >= span) {
            out.addAll(byLastTs.subMap(0L, true, (hi - span) << 31 | 0x7fffffffL, true).values());
            hi = span - 1;
        }
        out.addAll(byLastTs.subMap(lo << 31, true, hi << 31 | 0x7fffffffL, true).values());
        return out;
    }

    /** Joins a line to an earlier one it continues (same clock, its first sample on the earlier line's path). */
    private static void mergeSplitLines(List<Track> lines) {
        if ((long) lines.size() * lines.size() > MAX_PAIRS) {
            return;
        }
        lines.sort((a, b) -> a.firstNs != b.firstNs ? Long.compare(a.firstNs, b.firstNs) : Integer.compare(a.id, b.id));
        for (int j = 0; j < lines.size(); j++) {
            Track later = lines.get(j);
            for (int i = 0; i < j; i++) {
                Track earlier = lines.get(i);
                if (earlier.mergedInto != null || earlier.lastNs > later.firstNs) {
                    continue;
                }
                double rateGap = Math.abs(earlier.rate() - later.rate());
                double rateTol = 2.0 / earlier.span() + 2.0 / later.span() + 2e-4 * earlier.rate();
                if (rateGap > rateTol) {
                    continue;
                }
                double residual = earlier.unwrap(later.firstTs) - earlier.predict(later.firstNs);
                if (Math.abs(residual) <= earlier.tolerance(later.firstNs)) {
                    earlier.absorb(later);
                    break;
                }
            }
        }
        lines.removeIf(l -> l.mergedInto != null);
    }

    /** A track of one connection that falls on a line (e.g. seen before the line's rate was known) joins it. */
    private static void attachStrays(List<Track> lines, List<Track> strays) {
        if ((long) lines.size() * strays.size() > MAX_PAIRS) {
            return;
        }
        for (Track s : strays) {
            for (Track line : lines) {
                if (line.firstNs - s.lastNs > IDLE_S * 1e9 || s.firstNs - line.lastNs > IDLE_S * 1e9) {
                    continue;
                }
                double residual = line.unwrapNear(s.firstNs, s.firstTs) - line.predict(s.firstNs);
                if (Math.abs(residual) <= line.tolerance(s.firstNs)) {
                    line.connections += s.connections;
                    line.samples += s.samples;
                    s.mergedInto = line;
                    break;
                }
            }
        }
    }

    /**
     * A line that begins close after a boot (its first TSval a few minutes past -300 s x HZ, or past 0) and after
     * another line of the same clock rate fell silent continues that host: it rebooted.
     */
    private static void linkReboots(List<Track> lines) {
        lines.sort((a, b) -> a.firstNs != b.firstNs ? Long.compare(a.firstNs, b.firstNs) : Integer.compare(a.id, b.id));
        for (Track later : lines) {
            Integer hz = nominal(later.rate());
            double rate = later.rate();
            long[] boots = hz == null ? new long[]{0} : new long[]{(-300L * hz) & 0xffffffffL, 0};
            double sinceBoot = Double.MAX_VALUE;
            for (long boot : boots) {
                long ticks = (later.firstTs - boot) & 0xffffffffL;
                sinceBoot = Math.min(sinceBoot, ticks / rate);
            }
            if (sinceBoot > BOOT_WINDOW_S) {
                continue;
            }
            long bootNs = later.firstNs - (long) (sinceBoot * 1e9);
            Track host = null;
            for (Track earlier : lines) {
                if (earlier == later || earlier.lastNs > bootNs || earlier.firstNs >= later.firstNs
                        || next(lines, earlier) != null) {
                    continue;
                }
                if (Math.abs(earlier.rate() - rate) > 0.02 * rate) {
                    continue;
                }
                if (host == null || earlier.lastNs > host.lastNs) {
                    host = earlier;
                }
            }
            if (host != null) {
                later.rebootOf = host;
            }
        }
    }

    private static Track next(List<Track> lines, Track t) {
        for (Track l : lines) {
            if (l.rebootOf == t) {
                return l;
            }
        }
        return null;
    }

    /** Pairs of lines that come within ten tolerances of each other while both are seen: hard to tell apart. */
    private static int closeLinePairs(List<Track> lines) {
        if ((long) lines.size() * lines.size() > MAX_PAIRS) {
            return 0;
        }
        int close = 0;
        for (int i = 0; i < lines.size(); i++) {
            Track a = lines.get(i);
            for (int j = i + 1; j < lines.size(); j++) {
                Track b = lines.get(j);
                long from = Math.max(a.firstNs, b.firstNs);
                long to = Math.min(a.lastNs, b.lastNs);
                if (from > to) {
                    continue;
                }
                double d1 = a.unwrapNear(from, b.predictTs(from)) - a.predict(from);
                double d2 = a.unwrapNear(to, b.predictTs(to)) - a.predict(to);
                double tol = 10 * Math.max(a.tolerance(from), a.tolerance(to));
                if (Math.signum(d1) != Math.signum(d2) || Math.min(Math.abs(d1), Math.abs(d2)) < tol) {
                    close++;
                }
            }
        }
        return close;
    }

    /** 100, 250, 300 or 1000 when the rate is within 2 % of it, else null. */
    static Integer nominal(double rate) {
        for (int hz : NOMINAL) {
            if (Math.abs(rate - hz) <= 0.02 * hz) {
                return hz;
            }
        }
        return null;
    }
}
