package io.twlab.tcp;

import io.twlab.net.Packet;

import static io.twlab.net.Seq.after;
import static io.twlab.net.Seq.before;
import static io.twlab.net.Seq.between;

/**
 * Segments for a synchronized socket, ESTABLISHED to LAST_ACK: tcp_rcv_state_process() with
 * tcp_validate_incoming() (PAWS, RFC 5961 RST and SYN checks), tcp_ack(), tcp_data_queue() and tcp_fin()
 * (net/ipv4/tcp_input.c), and tcp_time_wait() (net/ipv4/tcp_minisocks.c) when the close completes.
 */
final class SynchronizedInput {
    private static final long DELACK_NS = 40 * io.twlab.engine.Simulator.NS_PER_MS;

    private final TcpHost host;

    SynchronizedInput(TcpHost host) {
        this.host = host;
    }

    TcpVerdict input(TcpConnection c, Packet p) {
        long now = host.sim.now();
        long nowSec = host.clock.seconds(now);
        boolean rst = p.has(Packet.RST);
        // tcp_validate_incoming(): PAWS first; "Reset is accepted even if it did not pass PAWS".
        if (c.tsOk && p.hasTimestamp && !rst && !Paws.passes(c.tsRecent, c.tsRecentStamp, p.tsVal,
                Paws.ESTABLISHED_WINDOW, nowSec, host.profile.pawsWrapSeconds())) {
            host.counters.inc(Counter.PAWSEstab);
            host.output.sendControl(c, Packet.ACK);
            return TcpVerdict.PAWS_ESTAB;
        }
        boolean rfc5961 = host.profile.rfc5961ChallengeAcks();
        if (rst) {
            // RFC 5961 §3: only an RST at exactly rcv_nxt resets; another in-window one gets a challenge ACK.
            // Before it (2.6.32) any RST in the window resets.
            boolean inWindow = between(p.seq, c.rcvNxt, c.rcvNxt + TcpHost.WINDOW);
            if (p.seq == c.rcvNxt || (!rfc5961 && inWindow)) {
                if (c.state == TcpState.ESTABLISHED || c.state == TcpState.CLOSE_WAIT) {
                    host.counters.inc(Counter.EstabResets);
                }
                host.finish(c, CloseReason.RESET);
                return TcpVerdict.RESET_ACCEPTED;
            }
            if (inWindow) {
                host.counters.inc(Counter.TCPChallengeACK);
                host.output.sendControl(c, Packet.ACK);
                return TcpVerdict.CHALLENGE_ACK;
            }
            return TcpVerdict.RST_OUT_OF_WINDOW;
        }
        if (p.has(Packet.SYN) && !rfc5961 && !before(p.seq, c.rcvNxt)) {
            // Before RFC 5961 (tcp_validate_incoming step 4): a SYN in the window resets the connection.
            host.counters.inc(Counter.TCPAbortOnSyn);
            if (c.state == TcpState.ESTABLISHED || c.state == TcpState.CLOSE_WAIT) {
                host.counters.inc(Counter.EstabResets);
            }
            host.finish(c, CloseReason.RESET);
            return TcpVerdict.SYN_RESETS_CONNECTION;
        }
        if (p.has(Packet.SYN) && !rfc5961) {
            // An old SYN, before rcv_nxt, fails tcp_sequence() and gets a duplicate ACK.
            host.output.sendControl(c, Packet.ACK);
            return TcpVerdict.OUT_OF_ORDER;
        }
        if (p.has(Packet.SYN)) {
            // RFC 5961 §4: a SYN on a synchronized socket is answered with a challenge ACK.
            host.counters.inc(Counter.TCPChallengeACK);
            host.output.sendControl(c, Packet.ACK);
            return TcpVerdict.CHALLENGE_ACK;
        }
        boolean occupiesSequence = p.payloadLength > 0 || p.has(Packet.FIN);
        if (occupiesSequence && p.seq != c.rcvNxt) {
            // Old duplicate or out of order (links keep order, so only after loss): immediate duplicate ACK.
            host.output.sendControl(c, Packet.ACK);
            return TcpVerdict.OUT_OF_ORDER;
        }
        // tcp_replace_ts_recent(): a segment at or before rcv_nxt with a newer TSval updates ts_recent.
        if (c.tsOk && p.hasTimestamp && !after(p.seq, c.rcvNxt) && p.tsVal - c.tsRecent >= 0) {
            c.tsRecent = p.tsVal;
            c.tsRecentStamp = nowSec;
        }
        if (p.has(Packet.ACK)) {
            TcpVerdict ackVerdict = ack(c, p);
            if (ackVerdict != null) {
                return ackVerdict;
            }
        }
        if (p.payloadLength > 0 && acceptsData(c.state)) {
            c.rcvNxt += p.payloadLength;
            c.ackPending = true;
            c.segmentsSinceAck++;
            if (c.app != null && !c.appClosed) {
                c.app.onData(c, p.payloadLength);
            }
        }
        if (p.has(Packet.FIN) && c.state != TcpState.CLOSED) {
            c.rcvNxt += 1;
            c.ackPending = true;
            c.quickAcks = Math.max(c.quickAcks, 1);
            switch (c.state) {
                case ESTABLISHED -> {
                    c.state = TcpState.CLOSE_WAIT;
                    if (c.app != null && !c.appClosed) {
                        c.app.onPeerFin(c);
                    }
                }
                case FIN_WAIT_1 -> c.state = TcpState.CLOSING;
                case FIN_WAIT_2 -> {
                    host.output.sendControl(c, Packet.ACK);
                    enterTimeWait(c, TimeWaitTable.SUBSTATE_TIME_WAIT, 0);
                    return TcpVerdict.SEGMENT_ACCEPTED;
                }
                default -> {
                }
            }
        }
        if (c.ackPending && c.state != TcpState.CLOSED) {
            // __tcp_ack_snd_check(): quick ACKs, or every second full segment; otherwise the delayed ACK.
            if (c.quickAcks > 0 || c.segmentsSinceAck >= 2) {
                if (c.quickAcks > 0) {
                    c.quickAcks--;
                }
                host.output.sendControl(c, Packet.ACK);
            } else if (c.delackDeadline == Long.MAX_VALUE) {
                c.delackDeadline = host.timers.deadline(DELACK_NS);
                host.timers.arm(c);
            }
        }
        return TcpVerdict.SEGMENT_ACCEPTED;
    }

    private static boolean acceptsData(TcpState s) {
        return s == TcpState.ESTABLISHED || s == TcpState.FIN_WAIT_1 || s == TcpState.FIN_WAIT_2;
    }

    /** tcp_ack() and the FIN-acknowledged transitions: a verdict when the segment goes no further, else null. */
    private TcpVerdict ack(TcpConnection c, Packet p) {
        if (after(p.ack, c.sndNxt)) {
            host.output.sendControl(c, Packet.ACK);
            return TcpVerdict.ACK_OF_UNSENT_DATA;
        }
        if (after(p.ack, c.sndUna)) {
            c.sndUna = p.ack;
            host.timers.rttSample(c, p.ack);
            c.retransmits = 0;
            c.rtoNs = host.timers.rtoFromEstimate(c);
            if (c.sndUna == c.sndNxt) {
                host.timers.clearRto(c);
            } else {
                host.timers.setRto(c, c.rtoNs);
            }
        }
        boolean finAcked = c.finSent && !before(c.sndUna, c.finSeq + 1);
        if (!finAcked) {
            return null;
        }
        switch (c.state) {
            case FIN_WAIT_1 -> {
                c.state = TcpState.FIN_WAIT_2;
                long tmo = Math.max(host.finTimeoutNs, c.rtoNs * 7 / 2);
                if (!p.has(Packet.FIN) && c.appClosed) {
                    if (tmo > TimeWaitProcessor.TIMEWAIT_LEN_NS) {
                        // Orphaned FIN_WAIT2 longer than 60 s: a full socket first, a bucket for the last 60 s.
                        c.finWait2Deadline = host.timers.deadline(tmo - TimeWaitProcessor.TIMEWAIT_LEN_NS);
                        host.timers.arm(c);
                    } else {
                        enterTimeWait(c, TimeWaitTable.SUBSTATE_FIN_WAIT2, tmo);
                        return TcpVerdict.SEGMENT_ACCEPTED;
                    }
                }
            }
            case CLOSING -> {
                enterTimeWait(c, TimeWaitTable.SUBSTATE_TIME_WAIT, 0);
                return TcpVerdict.SEGMENT_ACCEPTED;
            }
            case LAST_ACK -> {
                host.finish(c, CloseReason.NORMAL);
                return TcpVerdict.SEGMENT_ACCEPTED;
            }
            default -> {
            }
        }
        return null;
    }

    /** tcp_time_wait(): replace the socket by a TIME_WAIT bucket, unless tcp_max_tw_buckets is reached. */
    void enterTimeWait(TcpConnection c, byte substate, long timeoNs) {
        long now = host.sim.now();
        host.connections.remove(c.key);
        c.state = TcpState.TIME_WAIT;
        host.timers.stop(c);
        host.notifyClosed(c, CloseReason.NORMAL);
        TimeWaitTable timeWait = host.timeWait;
        if (timeWait.count() >= host.maxTwBuckets) {
            host.counters.inc(Counter.TCPTimeWaitOverflow);
            return;
        }
        long timeo = Math.max(timeoNs, c.rtoNs * 7 / 2);
        // tw_recycle: a timestamped connection remembers its peer's stamp and waits only 3.5 x RTO.
        boolean recycle = host.twRecycle && c.tsOk;
        if (recycle) {
            host.peers.remember(c, now);
        }
        if (substate == TimeWaitTable.SUBSTATE_TIME_WAIT && !recycle) {
            timeo = TimeWaitProcessor.TIMEWAIT_LEN_NS;
        }
        int s = timeWait.allocate(c.key, now);
        timeWait.rcvNxt[s] = c.rcvNxt;
        timeWait.sndNxt[s] = c.sndNxt;
        timeWait.tsRecent[s] = c.tsRecent;
        timeWait.tsRecentStamp[s] = c.tsOk ? (int) Math.max(c.tsRecentStamp, 1) : 0;
        timeWait.entryStampMs[s] = (int) host.clock.millis(now);
        timeWait.tsOffset[s] = c.tsOffset;
        timeWait.setSubstate(s, substate);
        timeWait.reaper().schedule(s, timeo, false);
    }
}
