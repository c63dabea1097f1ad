package io.twlab.analyzer;

import io.twlab.analyzer.capture.Segment;
import io.twlab.report.Finding.Severity;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;

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
    private static final long PAIR_WINDOW_NS = 200_000;
    private static final int RECENT = 64;
    /** The other side's copy of a SYN comes within microseconds; keys older than one or two periods are forgotten. */
    private static final long COPY_PERIOD_NS = 2_000_000_000L;

    /** SYNs (destination, ISN, TSval) of the last one or two periods, with the flow of their first copy. */
    private Long2ObjectOpenHashMap<Flow> current = new Long2ObjectOpenHashMap<>();
    private Long2ObjectOpenHashMap<Flow> previous = new Long2ObjectOpenHashMap<>();
    private long periodStartNs = Long.MIN_VALUE;
    private long synKeys;
    private long doubled;
    private final long[] recentTime = new long[RECENT];
    private final long[] recentDst = new long[RECENT];
    private final long[] recentSrc = new long[RECENT];
    private final Flow[] recentFlow = new Flow[RECENT];
    private int recentNext;
    private final List<Flow> candidates = new ArrayList<>();
    private final List<long[]> candidateFacts = new ArrayList<>(); // {first SYN packet, its time, gap ns, two points}

    @Override
    public void onSegment(Segment s, Flow f, boolean fromClient, int events) {
        if (!fromClient || !s.has(Segment.SYN) || s.has(Segment.ACK)) {
            return;
        }
        long dst = dstHash(s.dstHi, s.dstLo, s.dstPort);
        if ((events & (Tracker.NEW_GENERATION | Tracker.SYN_RETRANSMISSION)) != 0) {
            copy(s, f, dst);
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

    /** Notes a SYN; a second copy from another 4-tuple marks the first copy's flow (first try or re-send). */
    private void copy(Segment s, Flow f, long dst) {
        if (periodStartNs == Long.MIN_VALUE || s.timeNs - periodStartNs >= COPY_PERIOD_NS) {
            Long2ObjectOpenHashMap<Flow> old = previous;
            previous = current;
            old.clear();
            current = old;
            periodStartNs = s.timeNs;
        }
        long key = synKey(dst, s.seq, s.hasTimestamp ? s.tsVal : 0);
        Flow first = current.get(key);
        if (first == null) {
            first = previous.get(key);
        }
        if (first == null) {
            current.put(key, f);
            synKeys++;
        } else if (first != f) {
            current.remove(key);
            previous.remove(key);
            doubled++;
            markCopied(first, s);
            markCopied(f, s);
        }
    }

    /** Both copies' flows learn that this try of theirs crossed the NAT (the two points may be in either order). */
    private static void markCopied(Flow f, Segment s) {
        if (!f.synHasTs || s.tsVal == f.synTsVal) {
            f.synFirstTryCopied = true;
        } else {
            f.synResendCopied = true;
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
        if (!f.firstSynLostThenAnswered()) {
            return;
        }
        long since = f.previousEndNs();
        boolean tupleFree = since < 0 || f.firstSynTimeNs - since > 120_000_000_000L;
        boolean lostInside = !f.synFirstTryCopied && f.synResendCopied;
        if (tupleFree && (lostInside || f.pairedSyn)) {
            candidates.add(f);
            candidateFacts.add(new long[]{f.firstSynPacket, f.firstSynTimeNs, f.synGaps[0], lostInside ? 1 : 0});
        }
    }

    @Override
    public void finish(Analysis analysis, List<AnalysisFinding> out) {
        boolean twoPoints = synKeys >= 20 && doubled >= 0.3 * synKeys;
        long byTwoPoints = 0;
        long byPairing = 0;
        Evidence evidence = new Evidence();
        for (int i = 0; i < candidates.size(); i++) {
            long[] c = candidateFacts.get(i);
            String how;
            if (twoPoints && c[3] == 1) {
                how = "first try seen inside only; its re-send seen on both sides";
                byTwoPoints++;
            } else if (candidates.get(i).pairedSyn) {
                how = "sent within 200 us of another host's SYN to the same destination, which was answered";
                byPairing++;
            } else {
                continue;
            }
            if (evidence.wants()) {
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("resentAfterSeconds", Math.round(c[2] / 1e6) / 1e3);
                fields.put("signature", how);
                evidence.add(List.of(c[0]), c[1], candidates.get(i), fields);
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
