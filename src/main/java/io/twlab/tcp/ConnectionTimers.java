package io.twlab.tcp;

import io.twlab.engine.Simulator;
import io.twlab.kernel.TimerWheel;
import io.twlab.net.Packet;

import static io.twlab.net.Seq.after;

/**
 * A connection's timers: retransmission (tcp_retransmit_timer(), net/ipv4/tcp_timer.c, and the request
 * socket's SYN-ACK timer), delayed ACK (tcp_delack_timer) and the orphaned FIN_WAIT2 timer (tcp_keepalive_timer
 * in FIN_WAIT2), with the RTT estimate they use. One engine event per connection serves the earliest deadline.
 */
final class ConnectionTimers {
    private static final int EV_CONN_TIMER = 1;
    /** TCP_RETR2: tcp_retries2 default, retransmissions of data before the connection is given up. */
    private static final int RETRIES2 = 15;

    private final TcpHost host;
    private final Simulator sim;

    ConnectionTimers(TcpHost host) {
        this.host = host;
        this.sim = host.sim;
    }

    /** An ACK went out: nothing is pending for the delayed-ACK timer. */
    void ackSent(TcpConnection c) {
        c.ackPending = false;
        c.segmentsSinceAck = 0;
        if (c.delackDeadline != Long.MAX_VALUE) {
            c.delackDeadline = Long.MAX_VALUE;
            arm(c);
        }
    }

    void clearRto(TcpConnection c) {
        c.rtoDeadline = Long.MAX_VALUE;
        arm(c);
    }

    void setRto(TcpConnection c, long delay) {
        c.rtoDeadline = deadline(delay);
        arm(c);
    }

    /**
     * When a connection timer armed now for {@code delayNs} fires. sk_reset_timer() arms it at jiffies + delay in
     * whole jiffies and it runs on a jiffy tick; from 4.8 the wheel files it in a level whose granularity grows
     * with the delay and rounds the expiry up (kernel/time/timer.c calc_wheel_index): at HZ 250 a 1 s SYN timer
     * fires 1.004-1.032 s later, a 2-jiffy one 8-12 ms later.
     */
    long deadline(long delayNs) {
        long now = sim.now();
        HostClock clock = host.clock;
        long jiffy = clock.jiffyNs();
        long j = clock.jiffies(now);
        long expires = j + (delayNs + jiffy - 1) / jiffy;
        if (host.profile.timerWheelRounding()) {
            expires = TimerWheel.expiry(expires, j);
        }
        return clock.simTimeOfJiffy(expires, now);
    }

    /**
     * Keeps one engine event at the earliest of the connection's deadlines. A deadline that moves later leaves
     * the event in place (it re-arms when it fires); an earlier one or none at all replaces it, so stopped
     * timers leave the queue instead of firing for nothing.
     */
    void arm(TcpConnection c) {
        long next = Math.min(c.rtoDeadline, Math.min(c.delackDeadline, c.finWait2Deadline));
        if (next < c.timerEventAt) {
            sim.cancel(c.timerEvent);
            c.timerEventAt = next;
            c.timerEvent = sim.at(next, host, EV_CONN_TIMER, 0, c);
        } else if (next == Long.MAX_VALUE && c.timerEvent != Simulator.NO_EVENT) {
            stop(c);
        }
    }

    void stop(TcpConnection c) {
        c.rtoDeadline = Long.MAX_VALUE;
        c.delackDeadline = Long.MAX_VALUE;
        c.finWait2Deadline = Long.MAX_VALUE;
        c.timerEventAt = Long.MAX_VALUE;
        sim.cancel(c.timerEvent);
        c.timerEvent = Simulator.NO_EVENT;
    }

    void fire(TcpConnection c) {
        c.timerEvent = Simulator.NO_EVENT;
        c.timerEventAt = Long.MAX_VALUE;
        long now = sim.now();
        if (c.delackDeadline <= now) {
            c.delackDeadline = Long.MAX_VALUE;
            if (c.ackPending) {
                host.counters.inc(Counter.DelayedACKs);
                host.output.sendControl(c, Packet.ACK);
            }
        }
        if (c.finWait2Deadline <= now) {
            c.finWait2Deadline = Long.MAX_VALUE;
            if (c.state == TcpState.FIN_WAIT_2) {
                host.synchronizedInput.enterTimeWait(c, TimeWaitTable.SUBSTATE_FIN_WAIT2,
                        TimeWaitProcessor.TIMEWAIT_LEN_NS);
                return;
            }
        }
        if (c.rtoDeadline <= now) {
            c.rtoDeadline = Long.MAX_VALUE;
            retransmit(c);
        }
        if (c.state != TcpState.CLOSED && c.state != TcpState.TIME_WAIT) {
            arm(c);
        }
    }

    /** tcp_retransmit_timer() / the request-socket SYN-ACK timer (reqsk_timer_handler). */
    private void retransmit(TcpConnection c) {
        Counters counters = host.counters;
        switch (c.state) {
            case SYN_SENT -> {
                if (c.retransmits >= host.synRetries + host.linearTimeouts) {
                    counters.inc(Counter.AttemptFails);
                    counters.inc(Counter.TCPAbortOnTimeout);
                    host.finish(c, CloseReason.TIMED_OUT);
                    return;
                }
                c.retransmits++;
                // tcp_retransmit_timer() counts every timer-driven retransmission, a SYN's too (LINUX_MIB_TCPTIMEOUTS).
                counters.inc(Counter.TCPTimeouts);
                counters.inc(Counter.RetransSegs);
                counters.inc(Counter.TCPSynRetrans);
                c.rttSampleSentNs = -1; // Karn: no RTT sample from a retransmitted SYN
                host.output.sendSegment(c, Packet.SYN, c.iss, 0, true);
                // 6.5+: the first tcp_syn_linear_timeouts retransmissions keep the initial RTO.
                if (c.retransmits > host.linearTimeouts) {
                    c.rtoNs = Math.min(c.rtoNs * 2, TcpHost.RTO_MAX_NS);
                }
                setRto(c, c.rtoNs);
            }
            case SYN_RECV -> {
                if (c.retransmits >= host.synackRetries) {
                    host.destroy(c);
                    return;
                }
                c.retransmits++;
                counters.inc(Counter.RetransSegs);
                c.rttSampleSentNs = -1;
                host.output.sendSynAck(c);
                c.rtoNs = Math.min(c.rtoNs * 2, TcpHost.RTO_MAX_NS);
                setRto(c, c.rtoNs);
            }
            default -> {
                if (c.sndUna == c.sndNxt) {
                    return;
                }
                if (c.retransmits >= RETRIES2) {
                    counters.inc(Counter.TCPAbortOnTimeout);
                    if (c.state == TcpState.ESTABLISHED || c.state == TcpState.CLOSE_WAIT) {
                        counters.inc(Counter.EstabResets);
                    }
                    host.finish(c, CloseReason.TIMED_OUT);
                    return;
                }
                c.retransmits++;
                counters.inc(Counter.TCPTimeouts);
                c.rttSampleSentNs = -1;
                // Go back to the first unacknowledged byte and send it all again (the FIN too, if unacked).
                c.sndNxt = c.sndUna;
                if (c.finSent && !after(c.sndUna, c.finSeq)) {
                    c.finSent = false;
                }
                c.rtoDeadline = Long.MAX_VALUE;
                long segmentsBefore = counters.get(Counter.OutSegs);
                host.output.output(c);
                counters.add(Counter.RetransSegs, counters.get(Counter.OutSegs) - segmentsBefore);
                c.rtoNs = Math.min(c.rtoNs * 2, TcpHost.RTO_MAX_NS);
                setRto(c, c.rtoNs);
            }
        }
    }

    /** tcp_rtt_estimator(): one sample per flight, never from a retransmission (Karn). */
    void rttSample(TcpConnection c, int ack) {
        if (c.rttSampleSentNs < 0 || !after(ack, c.rttSampleSeq)) {
            return;
        }
        long rtt = sim.now() - c.rttSampleSentNs;
        c.rttSampleSentNs = -1;
        if (c.srttNs == 0) {
            c.srttNs = rtt;
            c.rttvarNs = rtt / 2;
        } else {
            long err = rtt - c.srttNs;
            c.srttNs += err / 8;
            c.rttvarNs += (Math.abs(err) - c.rttvarNs) / 4;
        }
    }

    /** RFC 6298 with Linux's floor: RTO = SRTT + max(4·RTTVAR, 200 ms). */
    long rtoFromEstimate(TcpConnection c) {
        if (c.srttNs == 0) {
            return c.rtoNs;
        }
        return Math.min(TcpHost.RTO_MAX_NS,
                Math.max(TcpHost.RTO_MIN_NS, c.srttNs + Math.max(4 * c.rttvarNs, TcpHost.RTO_MIN_NS)));
    }
}
