package io.twlab.tcp;

import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.PawsCounter;
import io.twlab.net.Packet;

import static io.twlab.net.Seq.after;
import static io.twlab.net.Seq.before;

/**
 * The TIME_WAIT decision of net/ipv4/tcp_minisocks.c tcp_timewait_state_process(), as one function of
 * (entry, segment, profile, sysctls, now). It returns the action tcp_v4_rcv() takes; the branch taken is
 * {@link #reason()}. Side effects are explicit: counters, timer re-arm, kill, and the ISN proposed for a
 * reopening SYN ({@link #acceptedIsn}).
 */
public final class TimeWaitProcessor {
    public static final long TIMEWAIT_LEN_NS = 60 * Simulator.NS_PER_SEC;

    private final TimeWaitTable table;
    private final KernelProfile profile;
    private final Counters counters;
    private final Counter pawsCounter;
    private final boolean rfc1337;
    private final long invalidRateLimitMs;
    private final long recycleTimeoutNs;
    /** ISN for the new connection after a {@link TimeWaitVerdict#SYN} verdict. */
    private int acceptedIsn;
    private TcpVerdict reason;

    public TimeWaitProcessor(TimeWaitTable table, KernelProfile profile, Counters counters, boolean rfc1337,
                             long invalidRateLimitNs, long recycleTimeoutNs) {
        this.table = table;
        this.profile = profile;
        this.counters = counters;
        this.pawsCounter = profile.pawsTimewaitCounter() == PawsCounter.PAWS_TIMEWAIT ? Counter.PAWSTimewait : Counter.PAWSEstab;
        this.rfc1337 = rfc1337;
        this.invalidRateLimitMs = invalidRateLimitNs / Simulator.NS_PER_MS;
        this.recycleTimeoutNs = recycleTimeoutNs;
    }

    public int acceptedIsn() {
        return acceptedIsn;
    }

    /** The branch the last {@link #process} call took. */
    public TcpVerdict reason() {
        return reason;
    }

    private TimeWaitVerdict decide(TcpVerdict why, TimeWaitVerdict action) {
        reason = why;
        return action;
    }

    public TimeWaitVerdict process(int s, Packet p, long nowNs, long nowSec, long nowMs) {
        int nowMs32 = (int) nowMs;
        boolean rst = p.has(Packet.RST);
        boolean syn = p.has(Packet.SYN);
        boolean ack = p.has(Packet.ACK);
        boolean fin = p.has(Packet.FIN);
        int seq = p.seq;
        int endSeq = p.endSeq();
        int rcvNxt = table.rcvNxt[s];

        // Options are parsed only when the socket used timestamps (tw_ts_recent_stamp != 0).
        boolean sawTimestamp = p.hasTimestamp && table.tsRecentStamp[s] != 0;
        boolean pawsReject = sawTimestamp && Paws.rejects(table.tsRecent[s], table.tsRecentStamp[s], p.tsVal, rst,
                nowSec, profile.pawsWrapSeconds());

        if (table.substate(s) == TimeWaitTable.SUBSTATE_FIN_WAIT2) {
            // Orphaned FIN_WAIT2 kept as a TIME_WAIT bucket: only an in-order FIN moves it on.
            if (pawsReject || !inWindow(seq, endSeq, rcvNxt, rcvNxt + TimeWaitTable.RCV_WND)) {
                return outOfWindowAck(s, p, nowMs32, pawsReject ? TcpVerdict.TW_PAWS_REJECT : TcpVerdict.TW_OUT_OF_WINDOW,
                        Counter.TCPACKSkippedFinWait2);
            }
            if (rst) {
                table.remove(s, false, nowNs);
                return decide(TcpVerdict.TW_KILLED_BY_RST, TimeWaitVerdict.SUCCESS);
            }
            if (syn && !before(seq, rcvNxt)) {
                return decide(TcpVerdict.TW_FIN_WAIT2_RESET, TimeWaitVerdict.RST);
            }
            if (!ack || !after(endSeq, rcvNxt) || endSeq == seq) {
                return decide(TcpVerdict.TW_FIN_WAIT2_IGNORED, TimeWaitVerdict.SUCCESS);
            }
            if (!fin || endSeq != rcvNxt + 1) {
                return decide(TcpVerdict.TW_FIN_WAIT2_RESET, TimeWaitVerdict.RST);
            }
            table.setSubstate(s, TimeWaitTable.SUBSTATE_TIME_WAIT);
            table.rcvNxt[s] = endSeq;
            table.entryStampMs[s] = nowMs32;
            if (sawTimestamp) {
                table.tsRecent[s] = p.tsVal;
                table.tsRecentStamp[s] = (int) nowSec;
            }
            table.reaper().schedule(s, recycleTimeoutNs > 0 && table.tsRecentStamp[s] != 0
                    ? recycleTimeoutNs : TIMEWAIT_LEN_NS, true);
            return decide(TcpVerdict.TW_FIN_WAIT2_FIN, TimeWaitVerdict.ACK);
        }

        // Real TIME_WAIT. A duplicate of the last ACK or FIN, or an in-window RST.
        if (!pawsReject && seq == rcvNxt && (seq == endSeq || rst)) {
            if (rst) {
                if (!rfc1337) {
                    // TIME_WAIT assassination (RFC 1337 hazard): the default kills the socket.
                    table.remove(s, false, nowNs);
                    return decide(TcpVerdict.TW_KILLED_BY_RST, TimeWaitVerdict.SUCCESS);
                }
                if (profile.twRescheduleOnRst()) {
                    table.reaper().schedule(s, TIMEWAIT_LEN_NS, true);
                }
            } else {
                table.reaper().schedule(s, TIMEWAIT_LEN_NS, true);
            }
            if (sawTimestamp) {
                table.tsRecent[s] = p.tsVal;
                table.tsRecentStamp[s] = (int) nowSec;
            }
            return decide(rst ? TcpVerdict.TW_RST_IGNORED : TcpVerdict.TW_BARE_ACK, TimeWaitVerdict.SUCCESS);
        }

        // A SYN may reopen the tuple (RFC 6191 rule): newer timestamp, or equal/absent timestamp and higher seq.
        if (syn && !rst && !ack && !pawsReject
                && (after(seq, rcvNxt) || (sawTimestamp && table.tsRecent[s] - p.tsVal < 0))) {
            acceptedIsn = table.reopenIsn(s);
            return decide(TcpVerdict.TW_SYN_REOPENS, TimeWaitVerdict.SYN);
        }

        if (pawsReject) {
            counters.inc(pawsCounter);
        }
        if (!rst) {
            // An ACK-less SYN that failed without a PAWS reject does not re-arm the timer.
            if (pawsReject || ack) {
                table.reaper().schedule(s, TIMEWAIT_LEN_NS, true);
            }
            TcpVerdict why = pawsReject ? TcpVerdict.TW_PAWS_REJECT
                    : syn ? TcpVerdict.TW_SYN_NOT_NEWER : TcpVerdict.TW_OUT_OF_WINDOW;
            return outOfWindowAck(s, p, nowMs32, why, Counter.TCPACKSkippedTimeWait);
        }
        return decide(TcpVerdict.TW_RST_IGNORED, TimeWaitVerdict.SUCCESS);
    }

    /**
     * tcp_timewait_check_oow_rate_limit(): at most one ACK per tcp_invalid_ratelimit for SYNs and pure ACKs; a
     * skipped one counts under the bucket's substate (TCPACKSkippedTimeWait or TCPACKSkippedFinWait2).
     */
    private TimeWaitVerdict outOfWindowAck(int s, Packet p, int nowMs, TcpVerdict why, Counter skipped) {
        if (!profile.twAckRateLimited() || invalidRateLimitMs == 0) {
            return decide(why, TimeWaitVerdict.ACK);
        }
        boolean rateLimitable = p.seq == p.endSeq() || p.has(Packet.SYN);
        if (rateLimitable) {
            // tcp_oow_rate_limited(): a zero stamp means none sent yet; elapsed is a wrapping u32 difference.
            int last = table.lastOowAckMs[s];
            int elapsed = nowMs - last;
            if (last != 0 && elapsed >= 0 && elapsed < invalidRateLimitMs) {
                counters.inc(skipped);
                // A PAWS reject stays the reason; the skipped ACK shows in its own counter.
                return decide(why == TcpVerdict.TW_PAWS_REJECT ? why : TcpVerdict.TW_ACK_RATE_LIMITED,
                        TimeWaitVerdict.SUCCESS);
            }
            table.lastOowAckMs[s] = nowMs == 0 ? 1 : nowMs;
        }
        return decide(why, TimeWaitVerdict.ACK);
    }

    /** tcp_in_window(): the segment overlaps [s_win, e_win]. */
    private static boolean inWindow(int seq, int endSeq, int sWin, int eWin) {
        if (seq == sWin) {
            return true;
        }
        if (after(endSeq, sWin) && before(seq, eWin)) {
            return true;
        }
        return seq == eWin && seq == endSeq;
    }
}
