package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;
import io.twlab.report.Finding.Severity;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SYNs lost in a NAT's conntrack insert clash: two connections translated to the same tuple at once (two CPUs, or
 * two hosts' SYNs within microseconds), the later one failing at confirm (nf_conntrack_confirm, counted in
 * {@code conntrack -S insert_failed}) and dropped; its client re-sends after the initial RTO. Two signatures:
 * <ul>
 * <li>two capture points (inside and outside the NAT in one file): the first try of a SYN is seen once while its
 *     re-send, and most other SYNs, are seen twice (same destination, ISN and TSval from two source tuples);</li>
 * <li>one capture point inside: a SYN re-sent after the initial RTO with no answer to its first try, on a tuple not
 *     used before, sent within 200 us of a SYN from another source address to the same destination that was
 *     answered at once.</li>
 * </ul>
 * The fix debated in containernetworking/plugins#163 and weave#3287: NAT with {@code --random-fully}.
 */
final class NatInsertClashDetector implements Detector {
    private static final int MAX_KEYS = 4_000_000;
    private static final long PAIR_WINDOW_NS = 200_000;
    private static final int RECENT = 64;

    /** Per SYN (destination, ISN, TSval): the first copy's source tuple hash (high half) and copies seen (low). */
    private final Long2LongOpenHashMap copies = new Long2LongOpenHashMap();
    private long synKeys;
    private long keysFull;
    private final long[] recentTime = new long[RECENT];
    private final long[] recentDst = new long[RECENT];
    private final long[] recentSrc = new long[RECENT];
    private final Flow[] recentFlow = new Flow[RECENT];
    private int recentNext;
    private final List<long[]> candidates = new ArrayList<>(); // {dst, isn, first ts, last ts, packet, time}
    private final List<Flow> candidateFlows = new ArrayList<>();
    private final List<Boolean> candidatePaired = new ArrayList<>();

    @Override
    public void onSegment(Segment s, Flow f, boolean fromClient, int events) {
        if (!fromClient || !s.has(Segment.SYN) || s.has(Segment.ACK)) {
            return;
        }
        long dst = dstHash(s.dstHi, s.dstLo, s.dstPort);
        if ((events & (Tracker.NEW_GENERATION | Tracker.SYN_RETRANSMISSION)) != 0) {
            long key = synKey(dst, s.seq, s.hasTimestamp ? s.tsVal : 0);
            long src = (s.srcLo * 0x9E3779B97F4A7C15L + s.srcHi) ^ s.srcPort;
            int srcHash = (int) (src ^ (src >>> 32));
            // Values are never 0 (copies >= 1), so 0 means absent.
            long v = copies.get(key);
            if (v == 0) {
                if (copies.size() < MAX_KEYS) {
                    copies.put(key, (long) srcHash << 32 | 1);
                    synKeys++;
                } else {
                    keysFull++;
                }
            } else if ((int) (v >>> 32) != srcHash && (int) v == 1) {
                copies.put(key, v + 1); // the same SYN from another source tuple: the other side of the NAT
            }
        }
        if ((events & Tracker.NEW_GENERATION) != 0) {
            long srcAddress = s.srcLo * 0x9E3779B97F4A7C15L + s.srcHi;
            boolean paired = false;
            for (int i = 0; i < RECENT; i++) {
                Flow other = recentFlow[i];
                if (other != null && other != f && recentDst[i] == dst && recentSrc[i] != srcAddress
                        && s.timeNs - recentTime[i] <= PAIR_WINDOW_NS && s.timeNs >= recentTime[i]) {
                    paired = true;
                }
            }
            f.pairedSyn = paired;
            recentTime[recentNext] = s.timeNs;
            recentDst[recentNext] = dst;
            recentSrc[recentNext] = srcAddress;
            recentFlow[recentNext] = f;
            recentNext = (recentNext + 1) % RECENT;
        }
    }

    private static long dstHash(long hi, long lo, int port) {
        return (lo * 0x9E3779B97F4A7C15L + hi) * 31 + port;
    }

    private static long synKey(long dst, int isn, int tsVal) {
        long h = dst * 0x9E3779B97F4A7C15L + isn;
        return h * 0xC2B2AE3D27D4EB4FL + tsVal;
    }

    @Override
    public void onGenerationEnd(Flow f, boolean atCaptureEnd) {
        if (f.synTries < 2 || f.staleAckPacket != 0 || !f.synAcked || !SynStallDetector.near(f.synGaps[0] / 1e9, 1,
                0.3)) {
            return;
        }
        long since = f.previousClosed && f.previousCloseTimeNs >= 0 ? f.previousCloseTimeNs : f.previousFirstSynTimeNs;
        boolean tupleFree = !f.hasPrevious || since < 0 || f.firstSynTimeNs - since > 120_000_000_000L;
        if (!tupleFree) {
            return;
        }
        candidates.add(new long[]{dstHash(f.serverHi, f.serverLo, f.serverPort), f.isn, f.synHasTs ? f.synTsVal : 0,
                f.synHasTs ? f.lastSynTsVal : 0, f.firstSynPacket, f.firstSynTimeNs});
        candidateFlows.add(f);
        candidatePaired.add(f.pairedSyn);
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        long doubled = 0;
        for (long v : copies.values()) {
            if ((int) v >= 2) {
                doubled++;
            }
        }
        boolean twoPoints = synKeys >= 20 && doubled >= 0.3 * synKeys;
        long byTwoPoints = 0;
        long byPairing = 0;
        Evidence evidence = new Evidence();
        for (int i = 0; i < candidates.size(); i++) {
            long[] c = candidates.get(i);
            boolean clash = false;
            String how = null;
            if (twoPoints) {
                long firstCopies = (int) copies.get(synKey(c[0], (int) c[1], (int) c[2]));
                long resentCopies = (int) copies.get(synKey(c[0], (int) c[1], (int) c[3]));
                if (firstCopies == 1 && resentCopies >= 2) {
                    clash = true;
                    how = "first try seen inside only; its re-send seen on both sides";
                    byTwoPoints++;
                }
            }
            if (!clash && candidatePaired.get(i)) {
                clash = true;
                how = "sent within 200 us of another host's SYN to the same destination, which was answered";
                byPairing++;
            }
            if (clash && evidence.wants()) {
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("resentAfterSeconds", Math.round(candidateFlows.get(i).synGaps[0] / 1e6) / 1e3);
                fields.put("signature", how);
                evidence.add(List.of(c[4]), c[5], candidateFlows.get(i), fields);
            }
        }
        long count = byTwoPoints + byPairing;
        if (count == 0) {
            return;
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("twoCapturePoints", twoPoints);
        facts.put("byTwoCapturePoints", byTwoPoints);
        facts.put("bySimultaneousSyns", byPairing);
        if (keysFull > 0) {
            facts.put("synsNotTracked", keysFull);
        }
        out.add(new AnalysisFinding("nat-insert-clash", Severity.WARNING, count, String.format(Locale.ROOT,
                "%,d connection attempts lost their first SYN in the NAT and waited for the 1 s re-send: %s. That is a "
                        + "conntrack insert clash: two connections got the same translated tuple at once and the later "
                        + "one was dropped at confirm (nf_conntrack_confirm; conntrack -S insert_failed counts them). "
                        + "Remedies: NAT with --random-fully (fully random source ports), fewer simultaneous connects "
                        + "through one address, a kernel whose nf_nat retries harder.", count,
                twoPoints ? String.format(Locale.ROOT, "%,d seen on the inside capture point but not the outside one, "
                        + "%,d sent together with another host's SYN", byTwoPoints, byPairing)
                        : String.format(Locale.ROOT, "each sent within 200 us of another host's SYN to the same "
                        + "destination, which was answered at once (%,d)", byPairing)), evidence.list(), facts));
    }
}
