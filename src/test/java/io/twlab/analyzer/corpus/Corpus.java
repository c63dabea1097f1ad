package io.twlab.analyzer.corpus;

import io.twlab.analyzer.corpus.Wire.Addr;
import io.twlab.analyzer.corpus.Wire.Pkt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The analyzer's labelled corpus: captures written from a description by this package alone (it never calls the
 * simulator), each with its ground truth. The servers' verdicts are decided here from the kernel rules in
 * shared/reference/kernel-facts.md, written afresh: TIME_WAIT PAWS (tcp_timewait_state_process), tcp_tw_recycle's
 * per-peer check (tcp_v4_conn_request), challenge ACKs on an established tuple (tcp_validate_incoming), IPVS
 * conn_reuse_mode=1 drops, a conntrack insert clash, SYNPROXY stalls and zero windows, a client out of ports.
 */
public final class Corpus {
    static final Addr NAT = Addr.v4(20, 1, 1, 1);
    static final Addr SERVER = Addr.v4(10, 9, 9, 9);
    static final Addr VIP = Addr.v4(10, 96, 0, 10);

    /** What a case's capture holds: the finding kinds that must be found (count, or -1 when any count is right). */
    public record Truth(Map<String, Long> kinds, Integer hosts, Integer clockHosts, Boolean perConnectionOffsets,
                        int reboots, Map<String, Object> figures) {
    }

    /** One capture of the corpus: its name, what it shows, its bytes and its truth. */
    public record Case(String name, String description, String extension, byte[] bytes, Truth truth) {
    }

    private Corpus() {
    }

    /** Every case, in a fixed order; the same seed gives the same bytes. */
    public static List<Case> all() {
        List<Case> out = new ArrayList<>();
        for (int n : new int[]{1, 2, 3, 5, 8, 13, 20, 32}) {
            out.add(hosts(n));
        }
        out.add(drift());
        out.add(reboot());
        out.add(wrap());
        out.add(oddRates());
        out.add(mixedOffsets());
        out.add(ipv6());
        out.add(clean());
        out.add(noise());
        out.add(noisyFleet());
        out.add(paws());
        out.add(twRecycle());
        out.add(synproxyStall());
        out.add(insertClash(true));
        out.add(insertClash(false));
        out.add(connReuse());
        out.add(challengeAck());
        out.add(clientPortExhaustion());
        out.add(synproxyZeroWindow());
        return out;
    }

    // ---- building blocks ----

    /** A partner fleet behind one address: its clocks, and the RTT of each host. */
    private record Fleet(List<Clock> clocks, double[] rtt) {
    }

    /** Mixed clocks as a real partner fleet has them: HZ 1000 and 250 (RHEL, Debian), 100, 300, 1 ms other OSes. */
    private static Fleet fleet(SplittableRandom rnd, int n) {
        List<Clock> clocks = new ArrayList<>();
        double[] rtt = new double[n];
        for (int i = 0; i < n; i++) {
            double ppm = rnd.nextDouble(-500, 500);
            double uptime = rnd.nextDouble(1, 40) * 86400;
            clocks.add(switch (i % 5) {
                case 0 -> Clock.jiffies(1000, ppm, uptime);
                case 1 -> Clock.jiffies(250, ppm, uptime);
                case 2 -> Clock.jiffies(100, ppm, uptime);
                case 3 -> Clock.jiffies(300, ppm, uptime);
                default -> Clock.millis(ppm, uptime);
            });
            rtt[i] = rnd.nextDouble(0.005, 0.060);
        }
        return new Fleet(clocks, rtt);
    }

    private static Clock serverClock() {
        return Clock.millis(0, 12.5 * 86400);
    }

    /** Exponential gaps at {@code rate} per second from 0 to {@code duration}. */
    private static List<Double> arrivals(SplittableRandom rnd, double rate, double duration) {
        List<Double> out = new ArrayList<>();
        double t = rnd.nextDouble() / rate;
        while (t < duration) {
            out.add(t);
            t += -Math.log(1 - rnd.nextDouble()) / rate;
        }
        return out;
    }

    private static Map<String, Long> kinds(Object... kindAndCount) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < kindAndCount.length; i += 2) {
            m.put((String) kindAndCount[i], ((Number) kindAndCount[i + 1]).longValue());
        }
        return m;
    }

    private static Case pcap(String name, String description, Wire w, Truth truth) {
        return new Case(name, description, "pcap", Wire.pcap(w.sorted()), truth);
    }

    /**
     * A fleet behind the NAT address reaching the server; the NAT hands out ports round robin from a range that
     * never comes back within the capture, so nothing fails: only the host count is there to find.
     */
    private static Wire fleetTraffic(SplittableRandom rnd, Fleet fleet, double rate, double duration, Addr nat,
                                     Addr server) {
        Wire w = new Wire();
        List<Double> times = arrivals(rnd, rate, duration);
        int port = 2048;
        for (double t : times) {
            int h = rnd.nextInt(fleet.clocks().size());
            Clock c = fleet.clocks().get(h);
            if (!c.up(t)) {
                continue;
            }
            Conn conn = new Conn(w, rnd, nat, port++, server, 443, c, serverClock());
            double rtt = fleet.rtt()[h];
            conn.requestServerCloses(conn.handshake(t, rtt), rtt);
        }
        return w;
    }

    // ---- host counting ----

    static Case hosts(int n) {
        SplittableRandom rnd = new SplittableRandom(1000 + n);
        Fleet fleet = fleet(rnd, n);
        Wire w = fleetTraffic(rnd, fleet, 25, 40, NAT, SERVER);
        return pcap("hosts-" + n, n + " hosts behind one NAT address with mixed clocks (1000, 250, 100, 300 Hz "
                        + "jiffies, 1 ms from 0; +-500 ppm), 25 conn/s for 40 s, no port reuse",
                w, new Truth(n == 1 ? kinds() : kinds("nat-shared-ip", n), n, n, false, 0, Map.of()));
    }

    static Case drift() {
        SplittableRandom rnd = new SplittableRandom(2001);
        // Four 1000 Hz hosts booted within a minute of each other (a fleet restarted together), drifting by
        // +-500 ppm: their lines start close and fan out at up to 1 tick per second.
        double base = 3 * 86400;
        List<Clock> clocks = List.of(Clock.jiffies(1000, 500, base), Clock.jiffies(1000, -500, base + 20),
                Clock.jiffies(1000, 250, base + 41), Clock.jiffies(1000, -250, base + 60));
        Wire w = fleetTraffic(rnd, new Fleet(clocks, new double[]{0.01, 0.02, 0.03, 0.04}), 25, 60, NAT, SERVER);
        return pcap("drift", "4 hosts at 1000 Hz +-500 ppm booted within 60 s of each other, 25 conn/s for 60 s",
                w, new Truth(kinds("nat-shared-ip", 4), 4, 4, false, 0, Map.of()));
    }

    static Case reboot() {
        SplittableRandom rnd = new SplittableRandom(2002);
        // Host 1 (250 Hz) reboots 20 s in and is back 25 s later: its jiffies restart at -300 s x 250.
        List<Clock> clocks = List.of(Clock.jiffies(1000, 80, 9 * 86400), Clock.jiffies(250, -120, 30 * 86400)
                .rebooting(20, 25), Clock.jiffies(100, 300, 2 * 86400));
        Wire w = fleetTraffic(rnd, new Fleet(clocks, new double[]{0.01, 0.02, 0.03}), 25, 70, NAT, SERVER);
        return pcap("reboot", "3 hosts, one of them rebooting 20 s in (down 25 s, jiffies restart at -300 s x HZ)", w,
                new Truth(kinds("nat-shared-ip", 3), 3, 3, false, 1, Map.of()));
    }

    static Case wrap() {
        SplittableRandom rnd = new SplittableRandom(2003);
        // At 1000 Hz jiffies pass 2^32 after 2^32 / 1000 s + 300 s of uptime: start 15 s before that.
        double wrapUptime = (1L << 32) / 1000.0 + 300;
        List<Clock> clocks = List.of(Clock.jiffies(1000, 0, wrapUptime - 15), Clock.jiffies(250, 0, 5 * 86400));
        Wire w = fleetTraffic(rnd, new Fleet(clocks, new double[]{0.01, 0.02}), 25, 40, NAT, SERVER);
        return pcap("wrap", "2 hosts, one whose 1000 Hz TSval wraps past 2^32 15 s into the capture", w,
                new Truth(kinds("nat-shared-ip", 2), 2, 2, false, 0, Map.of()));
    }

    static Case oddRates() {
        SplittableRandom rnd = new SplittableRandom(2006);
        // Rates between the usual ones, as measured on real fleets: HZ 1024 (Alpha), 24 and 128 Hz clocks, 500 Hz.
        List<Clock> clocks = List.of(Clock.jiffies(1024, 0, 6 * 86400), Clock.jiffies(24, 0, 20 * 86400),
                Clock.jiffies(128, 0, 13 * 86400), Clock.jiffies(500, 0, 2 * 86400), Clock.jiffies(250, 0, 9 * 86400));
        Wire w = fleetTraffic(rnd, new Fleet(clocks, new double[]{0.01, 0.02, 0.03, 0.02, 0.01}), 25, 40, NAT, SERVER);
        return pcap("odd-rates", "5 hosts at 1024, 24, 128, 500 and 250 Hz behind one address", w,
                new Truth(kinds("nat-shared-ip", 5), 5, 5, false, 0, Map.of()));
    }

    static Case mixedOffsets() {
        SplittableRandom rnd = new SplittableRandom(2004);
        List<Clock> clocks = List.of(Clock.jiffies(1000, 10, 4 * 86400), Clock.jiffies(250, -30, 11 * 86400),
                Clock.perConnection(86400), Clock.jiffies(300, 50, 17 * 86400), Clock.perConnection(3 * 86400));
        Wire w = fleetTraffic(rnd, new Fleet(clocks, new double[]{0.01, 0.02, 0.03, 0.02, 0.01}), 25, 40, NAT, SERVER);
        // Three clock lines, and two Linux 4.13+ hosts whose every connection has its own offset: at least 4.
        return pcap("mixed-offsets", "3 per-host clocks and 2 Linux 4.13+ hosts with per-connection offsets behind "
                + "one address", w, new Truth(kinds("nat-shared-ip", 4), 4, 3, true, 0, Map.of()));
    }

    static Case ipv6() {
        SplittableRandom rnd = new SplittableRandom(2005);
        Fleet fleet = fleet(rnd, 3);
        Wire w = fleetTraffic(rnd, fleet, 25, 40, Addr.v6(0x20010db800000020L, 1), Addr.v6(0x20010db800000009L, 9));
        return pcap("ipv6", "3 hosts behind one IPv6 address (NAT66), mixed clocks", w,
                new Truth(kinds("nat-shared-ip", 3), 3, 3, false, 0, Map.of()));
    }

    // ---- clean and noisy traffic ----

    static Case clean() {
        SplittableRandom rnd = new SplittableRandom(3001);
        Fleet fleet = fleet(rnd, 1);
        Wire w = fleetTraffic(rnd, fleet, 30, 60, Addr.v4(192, 0, 2, 10), SERVER);
        return pcap("clean", "one client, 30 conn/s for 60 s, nothing goes wrong", w,
                new Truth(kinds(), 1, 1, false, 0, Map.of()));
    }

    /**
     * One client with noise: 2 % of SYNs lost once (re-sent after the 1 s RTO), 3 % of responses lost once
     * (re-sent 200 ms later), 1 % of packets duplicated, neighbouring records swapped out of order, long-lived
     * connections already open when the capture starts (their SYNs are not in it).
     */
    static Case noise() {
        SplittableRandom rnd = new SplittableRandom(3002);
        Clock c = Clock.jiffies(250, 40, 6 * 86400);
        Wire w = new Wire();
        Addr client = Addr.v4(192, 0, 2, 20);
        // Connections open before the capture: only their data segments, from t = 0.
        for (int k = 0; k < 5; k++) {
            Conn open = new Conn(w, rnd, client, 50000 + k, SERVER, 443, c, serverClock());
            open.clientSeq = open.clientIsn + 1 + 5000 * k;
            for (double t = 0.3 * k; t < 60; t += 2.5) {
                open.client(t, Wire.PSH, 100);
                open.server(t + 0.003, Wire.PSH, 300);
                open.client(t + 0.04, 0, 0);
            }
        }
        long synLost = 0;
        int port = 30000;
        for (double t : arrivals(rnd, 25, 60)) {
            Conn conn = new Conn(w, rnd, client, port++, SERVER, 443, c, serverClock());
            double rtt = 0.02;
            double start = t;
            if (rnd.nextDouble() < 0.02) {
                conn.syn(t);
                start = t + 1.0 + 0.008;
                synLost++;
            }
            double open = conn.handshake(start, rtt);
            conn.client(open + 0.00005, Wire.PSH, 180);
            if (rnd.nextDouble() < 0.03) {
                int seq = conn.serverSeq;
                conn.server(open + 0.002, Wire.PSH, 1200);
                conn.serverSeq = seq;
                open += 0.2;
            }
            conn.server(open + 0.002, Wire.PSH, 1200);
            conn.server(open + 0.0021, Wire.FIN, 0);
            conn.client(open + 0.002 + rtt, 0, 0);
            conn.client(open + 0.0021 + rtt, Wire.FIN, 0);
            conn.server(open + 0.0022 + rtt, 0, 0);
        }
        List<Pkt> noisy = duplicatedAndSwapped(w.sorted(), rnd);
        Map<String, Object> figures = Map.of("synLost", synLost);
        return new Case("noise", "one client with SYN and data loss, duplicates, out-of-order records, connections "
                + "open before the capture began", "pcap", Wire.pcap(noisy),
                new Truth(kinds("syn-retransmit-stall", synLost), 1, 1, false, 0, figures));
    }

    /**
     * Eight hosts behind one address with noise: connections already open when the capture starts (no SYN seen,
     * their first TSval is a sample), 2 % of SYNs lost once, 1 % of packets duplicated, neighbouring records
     * swapped.
     */
    static Case noisyFleet() {
        SplittableRandom rnd = new SplittableRandom(3003);
        Fleet fleet = fleet(rnd, 8);
        Wire w = new Wire();
        for (int h = 0; h < 8; h++) {
            Conn open = new Conn(w, rnd, NAT, 60000 + h, SERVER, 443, fleet.clocks().get(h), serverClock());
            open.clientSeq = open.clientIsn + 1 + 777 * h;
            for (double t = 0.4 * h; t < 40; t += 3) {
                open.client(t, Wire.PSH, 100);
                open.server(t + 0.003, Wire.PSH, 300);
                open.client(t + 0.04, 0, 0);
            }
        }
        long synLost = 0;
        int port = 2048;
        for (double t : arrivals(rnd, 25, 40)) {
            int h = rnd.nextInt(8);
            Conn conn = new Conn(w, rnd, NAT, port++, SERVER, 443, fleet.clocks().get(h), serverClock());
            double rtt = fleet.rtt()[h];
            double start = t;
            if (rnd.nextDouble() < 0.02) {
                conn.syn(t);
                start = t + 1.0 + 0.004;
                synLost++;
            }
            conn.requestServerCloses(conn.handshake(start, rtt), rtt);
        }
        List<Pkt> noisy = duplicatedAndSwapped(w.sorted(), rnd);
        return new Case("noisy-fleet", "8 hosts with mixed clocks behind one address; connections open before the "
                + "capture, SYN loss, duplicates, out-of-order records", "pcap", Wire.pcap(noisy),
                new Truth(kinds("nat-shared-ip", 8, "syn-retransmit-stall", synLost), 8, 8, false, 0,
                        Map.of("synLost", synLost)));
    }

    /** 1 % of packets captured twice, 1 % of neighbouring records swapped (out of time order). */
    private static List<Pkt> duplicatedAndSwapped(List<Pkt> sorted, SplittableRandom rnd) {
        List<Pkt> noisy = new ArrayList<>();
        for (Pkt p : sorted) {
            noisy.add(p);
            if (rnd.nextDouble() < 0.01) {
                noisy.add(p);
            }
        }
        for (int i = 1; i < noisy.size(); i++) {
            if (rnd.nextDouble() < 0.01) {
                Pkt a = noisy.get(i - 1);
                noisy.set(i - 1, noisy.get(i));
                noisy.set(i, a);
            }
        }
        return noisy;
    }

    // ---- the seeds' failures ----

    /** The server's memory of a closed connection: the TIME_WAIT (or tw_recycle peer) state. */
    private record Closed(Conn conn, double at, long tsRecent) {
    }

    /**
     * Seed 000: 4 hosts behind one NAT whose 500 ports come back every 20 s, the server closing first (TIME_WAIT
     * 60 s on the server). A SYN reaching a TIME_WAIT tuple with a TSval more than one tick older than the one
     * remembered is answered by the old connection's ACK (tcp_timewait_state_process, PAWS); the client resets it
     * and re-sends its SYN two jiffies later (tcp_rcv_synsent_state_process re-arms the timer at TCP_TIMEOUT_MIN),
     * which the RST-freed tuple accepts. A newer TSval reopens the tuple directly.
     */
    static Case paws() {
        SplittableRandom rnd = new SplittableRandom(4001);
        Fleet fleet = fleet(rnd, 4);
        Wire w = new Wire();
        Map<Integer, Closed> timeWait = new HashMap<>();
        long rejects = 0;
        long reuses = 0;
        int next = 0;
        for (double t : arrivals(rnd, 25, 60)) {
            int h = rnd.nextInt(4);
            Clock c = fleet.clocks().get(h);
            int port = 2048 + next++ % 500;
            double rtt = fleet.rtt()[h];
            Conn conn = new Conn(w, rnd, NAT, port, SERVER, 443, c, serverClock());
            Closed old = timeWait.remove(port);
            if (old != null) {
                reuses++;
            }
            double start = t;
            if (old != null && t - old.at() < 60) {
                long ts = c.tsVal(t, 0);
                if ((int) (old.tsRecent() - ts) > 1) {
                    rejects++;
                    conn.syn(t);
                    old.conn().server(t + 0.0001, 0, 0);
                    conn.resetTo(t + rtt, old.conn().clientSeq);
                    start = t + rtt + 2.0 / c.hz + 0.0003;
                    conn.syn(start);
                    conn.synAck(start + 0.0001);
                    conn.client(start + rtt, 0, 0);
                    double closed = conn.requestServerCloses(start + rtt, rtt);
                    timeWait.put(port, new Closed(conn, closed, conn.lastClientTs));
                    continue;
                }
            }
            double closed = conn.requestServerCloses(conn.handshake(start, rtt), rtt);
            timeWait.put(port, new Closed(conn, closed, conn.lastClientTs));
        }
        Map<String, Object> figures = Map.of("reuses", reuses);
        return pcap("paws", "seed 000: 4 hosts behind one NAT, 500 ports at 25 conn/s (back every 20 s), server "
                        + "TIME_WAIT 60 s, PAWS rejects", w,
                new Truth(kinds("paws-timewait-reject", rejects, "nat-shared-ip", 4, "port-reuse-pressure", -1,
                        "syn-retransmit-stall", rejects), 4, 4, false, 0, figures));
    }

    /**
     * tcp_tw_recycle=1 on a server behind which 4 NATed hosts arrive from one address: when a connection closes
     * into TIME_WAIT its last TSval is remembered for the peer address (tcp_tw_remember_stamp); for 60 s
     * (TCP_PAWS_MSL) a SYN whose TSval is more than 1 (TCP_PAWS_WINDOW) below it is dropped without a reply
     * (tcp_v4_conn_request). Clients re-send at 1, 2, 4, 8, 16 s and give up.
     */
    static Case twRecycle() {
        SplittableRandom rnd = new SplittableRandom(4002);
        Fleet fleet = fleet(rnd, 4);
        Wire w = new Wire();
        long peerTs = 0;
        double peerAt = Double.NEGATIVE_INFINITY;
        long unanswered = 0;
        long retried = 0;
        int port = 2048;
        double[] gaps = {1, 2, 4, 8, 16};
        List<double[]> closes = new ArrayList<>(); // {time, ts} applied when the time passes
        for (double t : arrivals(rnd, 20, 40)) {
            int h = rnd.nextInt(4);
            Clock c = fleet.clocks().get(h);
            double rtt = fleet.rtt()[h];
            Conn conn = new Conn(w, rnd, NAT, port++, SERVER, 443, c, serverClock());
            double tryAt = t;
            boolean answered = false;
            for (int attempt = 0; attempt <= gaps.length; attempt++) {
                // Apply the closes that happened before this try.
                for (var it = closes.iterator(); it.hasNext(); ) {
                    double[] cl = it.next();
                    if (cl[0] <= tryAt) {
                        long ts = (long) cl[1];
                        if ((int) (peerTs - ts) <= 0 || peerAt + 60 < cl[0]) {
                            peerTs = ts;
                            peerAt = cl[0];
                        }
                        it.remove();
                    }
                }
                long ts = conn.syn(tryAt);
                boolean drop = tryAt - peerAt <= 60 && (int) (peerTs - ts) > 1;
                if (!drop) {
                    conn.synAck(tryAt + 0.0001);
                    conn.client(tryAt + rtt, 0, 0);
                    double closed = conn.requestServerCloses(tryAt + rtt, rtt);
                    closes.add(new double[]{closed, conn.lastClientTs});
                    answered = true;
                    break;
                }
                if (attempt < gaps.length) {
                    tryAt += gaps[attempt];
                }
                if (attempt == 0) {
                    retried++;
                }
            }
            if (!answered) {
                unanswered++;
            }
        }
        // Traffic stops at 40 s; the capture runs on until every client gave up (31 s of re-sends).
        w.add(new Pkt(Conn.ns(80), 0, SERVER, 443, Addr.v4(192, 0, 2, 99), 40000, 1, 1, Wire.ACK, 29200, -1, 0, 0));
        Map<String, Object> figures = Map.of("retried", retried);
        return pcap("tw-recycle", "tcp_tw_recycle=1 on a server, 4 hosts behind one NAT address, 20 conn/s for 40 s",
                w, new Truth(kinds("silent-syn-drop", unanswered, "nat-shared-ip", 4, "syn-retransmit-stall", retried),
                        4, 4, false, 0, figures));
    }

    /**
     * Seed 002 from the client's side: an LVS FullNAT director with SYNPROXY answers the handshake itself, then
     * connects to the real server; when that SYN is lost the director re-sends it on a fixed 3 s timer, so the
     * request's first response byte comes 3 s (or 6 s) late.
     */
    static Case synproxyStall() {
        SplittableRandom rnd = new SplittableRandom(4003);
        Clock c = Clock.perConnection(2 * 86400);
        Wire w = new Wire();
        long stalls = 0;
        int port = 40000;
        for (double t : arrivals(rnd, 20, 60)) {
            Conn conn = new Conn(w, rnd, Addr.v4(198, 51, 100, 7), port++, VIP, 443, c, serverClock());
            double rtt = 0.002;
            double open = conn.handshake(t, rtt);
            conn.client(open + 0.00005, Wire.PSH, 180);
            double wait = 0.004;
            double u = rnd.nextDouble();
            if (u < 0.04) {
                wait = 3.0005;
                stalls++;
            } else if (u < 0.05) {
                wait = 6.0005;
                stalls++;
            }
            conn.server(open + wait, Wire.PSH, 1200);
            conn.server(open + wait + 0.0001, Wire.FIN, 0);
            conn.client(open + wait + rtt, 0, 0);
            conn.client(open + wait + rtt + 0.0001, Wire.FIN, 0);
            conn.server(open + wait + rtt + 0.0002, 0, 0);
        }
        return pcap("synproxy-stall", "seed 002 at the client: LVS SYNPROXY, 5 % of requests answered 3 s or 6 s late",
                w, new Truth(kinds("syn-retransmit-stall", stalls), null, 0, true, 0, Map.of()));
    }

    // ---- what users report beyond the seeds ----

    /**
     * Four pods behind a node's SNAT reach one service; now and then two of them send SYNs within 100 us and the
     * NAT gives both the same source port; the later one loses at conntrack confirm (insert_failed) and is dropped,
     * and its client re-sends after the 1 s initial RTO (taking a free port then). {@code twoPoints}: the capture
     * holds the inside (interface 0) and the outside (interface 1); otherwise the inside alone.
     */
    static Case insertClash(boolean twoPoints) {
        SplittableRandom rnd = new SplittableRandom(5001);
        Wire w = new Wire();
        List<Clock> pods = List.of(Clock.perConnection(86400), Clock.perConnection(2 * 86400),
                Clock.perConnection(3 * 86400), Clock.perConnection(4 * 86400));
        long clashes = 0;
        int natPort = 30000;
        int[] podPort = {41000, 42000, 43000, 44000};
        for (double t : arrivals(rnd, 20, 60)) {
            boolean clash = rnd.nextDouble() < 0.05;
            int first = rnd.nextInt(4);
            int[] who = clash ? new int[]{first, (first + 1 + rnd.nextInt(3)) % 4} : new int[]{first};
            for (int k = 0; k < who.length; k++) {
                int p = who[k];
                Addr pod = Addr.v4(10, 244, 1, 10 + p);
                double at = t + k * rnd.nextDouble(0.00001, 0.0001);
                Conn inside = new Conn(w, rnd, pod, podPort[p]++, SERVER, 80, pods.get(p), serverClock());
                boolean dropped = k == 1;
                double start = at;
                if (dropped) {
                    clashes++;
                    inside.syn(at);
                    start = at + 1.0;
                }
                int port = natPort++;
                exchangeThroughNat(w, inside, port, start, twoPoints);
            }
        }
        String name = twoPoints ? "insert-clash-two-points" : "insert-clash-inside";
        return new Case(name, "conntrack insert clashes: 4 pods behind a node's SNAT, 5 % of SYNs paired within "
                + "100 us, the later one dropped at confirm and re-sent 1 s later"
                + (twoPoints ? " (inside and outside captured)" : " (inside captured)"),
                twoPoints ? "pcapng" : "pcap", twoPoints ? Wire.pcapng(w.sorted(), "inside", "outside")
                : Wire.pcap(w.sorted()), new Truth(kinds("nat-insert-clash", clashes, "syn-retransmit-stall", clashes),
                null, 0, true, 0, Map.of()));
    }

    /** A connection's packets inside (interface 0) and, when captured, outside (1) with the SNAT source. */
    private static void exchangeThroughNat(Wire w, Conn inside, int natPort, double start, boolean twoPoints) {
        int before = w.packets.size();
        double open = inside.handshake(start, 0.001);
        inside.requestServerCloses(open, 0.001);
        if (!twoPoints) {
            return;
        }
        List<Pkt> added = new ArrayList<>(w.packets.subList(before, w.packets.size()));
        for (Pkt p : added) {
            boolean out = p.src().equals(inside.client);
            w.add(new Pkt(p.timeNs() + (out ? 40_000 : -40_000), 1, out ? NAT : p.src(), out ? natPort : p.sport(),
                    out ? p.dst() : NAT, out ? p.dport() : natPort, p.seq(), p.ack(), p.flags(), p.window(), p.tsVal(),
                    p.tsEcr(), p.payload()));
        }
    }

    /**
     * kube-proxy IPVS with conn_reuse_mode=1 before Linux 5.9: a pod whose backend closes first reuses its ports
     * quickly (no TIME_WAIT on its side); a SYN on a port whose IPVS entry is still in TIME_WAIT (2 min) is dropped
     * while the old entry is expired, and the client re-sends after 1 s, which goes through.
     */
    static Case connReuse() {
        SplittableRandom rnd = new SplittableRandom(5002);
        Clock c = Clock.perConnection(86400);
        Wire w = new Wire();
        Addr pod = Addr.v4(10, 244, 2, 5);
        Map<Integer, Double> closedAt = new HashMap<>();
        long drops = 0;
        int next = 0;
        for (double t : arrivals(rnd, 20, 90)) {
            int port = 33000 + next++ % 600;
            Conn conn = new Conn(w, rnd, pod, port, VIP, 80, c, serverClock());
            Double last = closedAt.get(port);
            double start = t;
            if (last != null && t - last < 120) {
                drops++;
                conn.syn(t);
                start = t + 1.0;
            }
            double closed = conn.requestServerCloses(conn.handshake(start, 0.0005), 0.0005);
            closedAt.put(port, closed);
        }
        return pcap("ipvs-conn-reuse", "a pod reusing its ports every 30 s toward an IPVS service with "
                        + "conn_reuse_mode=1 (kernel before 5.9): each SYN on a port seen in the last 2 min dropped "
                        + "and re-sent 1 s later", w,
                new Truth(kinds("ipvs-conn-reuse-drop", drops, "syn-retransmit-stall", drops, "port-reuse-pressure", -1),
                        null, 0, true, 0, Map.of()));
    }

    /**
     * A NAT that forgot idle established connections hands their ports to new ones; the server still holds the
     * old connection established, so the new SYN gets an ACK for the old one (RFC 5961 challenge ACK,
     * tcp_validate_incoming); the client resets it (its RST carries exactly the server's rcv_nxt, which is
     * accepted) and re-sends two jiffies later.
     */
    static Case challengeAck() {
        SplittableRandom rnd = new SplittableRandom(5003);
        Clock c = Clock.jiffies(1000, 0, 8 * 86400);
        Wire w = new Wire();
        Addr nat = Addr.v4(203, 0, 113, 4);
        List<Conn> idle = new ArrayList<>();
        int port = 2048;
        long challenges = 0;
        for (double t : arrivals(rnd, 20, 60)) {
            Conn conn;
            if (t > 20 && !idle.isEmpty() && rnd.nextDouble() < 0.02) {
                Conn old = idle.remove(0);
                conn = new Conn(w, rnd, nat, old.clientPort, SERVER, 443, c, serverClock());
                conn.syn(t);
                old.server(t + 0.0001, 0, 0);
                conn.resetTo(t + 0.02, old.clientSeq);
                double again = t + 0.02 + 0.002 + 0.0003;
                conn.requestServerCloses(conn.handshake(again, 0.02), 0.02);
                challenges++;
                continue;
            }
            conn = new Conn(w, rnd, nat, port++, SERVER, 443, c, serverClock());
            double open = conn.handshake(t, 0.02);
            if (t < 15 && idle.size() < 20 && rnd.nextDouble() < 0.1) {
                // A long-lived connection: one request, then idle (the NAT will forget it).
                conn.client(open + 0.00005, Wire.PSH, 180);
                conn.server(open + 0.002, Wire.PSH, 1200);
                conn.client(open + 0.022, 0, 0);
                idle.add(conn);
                continue;
            }
            conn.requestServerCloses(open, 0.02);
        }
        Map<String, Long> expected = kinds("challenge-ack", challenges, "syn-retransmit-stall", challenges);
        if (challenges >= 10) {
            expected.put("port-reuse-pressure", challenges); // each reassigned port is a reuse, as the finding says
        }
        return pcap("challenge-ack", "a NAT reassigning the ports of idle established connections: the server answers "
                + "the new SYN with a challenge ACK, the client resets it and re-sends", w,
                new Truth(expected, 1, 1, false, 0, Map.of()));
    }

    /**
     * A client closing first keeps each port in TIME_WAIT for 60 s; with ip_local_port_range 40000-40999 it can
     * open at most 1000 / 60 = 16.7 connections per second to one server; asked for 25, the rest fail in connect()
     * (EADDRNOTAVAIL) and never reach the wire.
     */
    static Case clientPortExhaustion() {
        SplittableRandom rnd = new SplittableRandom(5004);
        Clock c = Clock.perConnection(5 * 86400);
        Wire w = new Wire();
        Addr client = Addr.v4(10, 1, 1, 5);
        double[] freeAt = new double[1000];
        long failed = 0;
        long opened = 0;
        for (double t : arrivals(rnd, 25, 150)) {
            List<Integer> free = new ArrayList<>();
            for (int i = 0; i < freeAt.length; i++) {
                if (freeAt[i] <= t) {
                    free.add(i);
                }
            }
            if (free.isEmpty()) {
                failed++;
                continue;
            }
            int i = free.get(rnd.nextInt(free.size()));
            Conn conn = new Conn(w, rnd, client, 40000 + i, SERVER, 80, c, serverClock());
            double closed = conn.requestClientCloses(conn.handshake(t, 0.001), 0.001);
            freeAt[i] = closed + 60;
            opened++;
        }
        Map<String, Object> figures = Map.of("failedConnects", failed, "opened", opened);
        return pcap("client-port-exhaustion", "one client closing first, ports 40000-40999, asked for 25 conn/s "
                        + "against 1000 / 60 s = 16.7/s", w,
                new Truth(kinds("client-port-exhaustion", -1, "port-reuse-pressure", -1), null, 0, true, 0, figures));
    }

    /**
     * An LVS SYNPROXY that closes the client's window in its SYN-ACK (window 0) until the real server answers; when
     * its window update is lost the client can only send zero-window probes (seq = snd_una - 1,
     * tcp_xmit_probe_skb) on its RTO until the window opens, and the request waits.
     */
    static Case synproxyZeroWindow() {
        SplittableRandom rnd = new SplittableRandom(5005);
        Clock c = Clock.perConnection(86400);
        Wire w = new Wire();
        long zero = 0;
        long probed = 0;
        int port = 45000;
        for (double t : arrivals(rnd, 20, 60)) {
            Conn conn = new Conn(w, rnd, Addr.v4(198, 51, 100, 9), port++, VIP, 80, c, serverClock());
            conn.serverWindow = 0;
            double open = conn.handshake(t, 0.002);
            zero++;
            double update = open + 0.001;
            if (rnd.nextDouble() < 0.1) {
                probed++;
                // Probes at 200 ms and 600 ms (doubling), the window update answering the second.
                conn.clientSeq--;
                conn.client(open + 0.2, 0, 0);
                conn.client(open + 0.6, 0, 0);
                conn.clientSeq++;
                update = open + 0.6 + 0.002;
            }
            conn.serverWindow = 29200;
            conn.server(update, 0, 0);
            conn.requestServerCloses(update + 0.001, 0.002);
        }
        Map<String, Object> figures = Map.of("probedConnections", probed);
        return pcap("synproxy-zero-window", "an LVS SYNPROXY closing the window in its SYN-ACK; 10 % of window "
                        + "updates lost, the client probing until the window opens", w,
                new Truth(kinds("synproxy-zero-window", zero), null, 0, true, 0, figures));
    }
}
