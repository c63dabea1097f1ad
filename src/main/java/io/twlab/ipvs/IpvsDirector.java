package io.twlab.ipvs;

import io.twlab.engine.Simulator;
import io.twlab.net.NetNode;
import io.twlab.net.Packet;
import io.twlab.net.TupleTable;

import java.util.List;

/**
 * An IPVS director (net/netfilter/ipvs/ip_vs_core.c ip_vs_in/ip_vs_out) in NAT or DR mode: a SYN to a
 * virtual service with no connection entry is scheduled to a real server (Conns++), the entry follows the
 * segments through the IPVS TCP state table with that state's timeout, later packets of the same client tuple
 * follow the entry, and replies are translated back to the VIP. An entry found by a new SYN is reused with its
 * real server ("affinity") unless conn_reuse_mode 1 expires it first (closed states only) and schedules again.
 */
public final class IpvsDirector extends NetNode {
    private static final int EV_SWEEP = 1;
    private static final long SWEEP_NS = Simulator.NS_PER_SEC;
    /** Alibaba LVS: sysctl_ip_vs_lport_min. */
    private static final int LPORT_MIN = 5000;

    private final Simulator sim;
    private final List<VirtualService> services;
    private final int[] vips;
    private final IpvsTimeouts timeouts;
    private final int connReuseMode;
    private final TupleTable<IpvsConnection> byClient = new TupleTable<>();
    private final TupleTable<IpvsConnection> byServer = new TupleTable<>();
    private boolean sweepScheduled;
    /** Entries filed by the whole second in which they are due to expire; stale filings are skipped. */
    private final it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap<java.util.ArrayList<IpvsConnection>> dueBySecond =
            new it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap<>();
    private long nextSweepSecond = -1;
    private final long[] verdicts = new long[IpvsVerdict.values().length];

    private static final int EV_SYN_RETRY = 2;
    private static final int EV_WEIGHT = 3;
    private final SynProxy synProxy;
    private boolean conntrack;
    private final java.util.SplittableRandom random;
    private final long cookieSecret;
    private long synsLostTowardServers;
    private long synProxyRetries;

    public IpvsDirector(Simulator sim, String name, List<VirtualService> services, IpvsTimeouts timeouts,
                        int connReuseMode, SynProxy synProxy, java.util.SplittableRandom random) {
        super(name);
        this.sim = sim;
        this.synProxy = synProxy;
        this.random = random;
        this.cookieSecret = random.nextLong();
        this.services = List.copyOf(services);
        this.vips = java.util.stream.IntStream.concat(services.stream().mapToInt(VirtualService::vip),
                services.stream().flatMapToInt(v -> java.util.Arrays.stream(v.localAddresses))).distinct().toArray();
        this.timeouts = timeouts;
        this.connReuseMode = connReuseMode;
    }

    @Override
    public int[] ownedAddresses() {
        return vips.clone();
    }

    public List<VirtualService> services() {
        return services;
    }

    /** Entries in the connection table (ipvsadm -Lnc lines). */
    public int connectionEntries() {
        return byClient.size();
    }

    /** Non-SYN packets to a VIP with no entry (the director's own stack would answer them with an RST). */
    public long droppedNoEntry() {
        return verdicts(IpvsVerdict.NO_ENTRY) + verdicts(IpvsVerdict.SYNPROXY_BAD_COOKIE);
    }

    /**
     * The director's host also runs conntrack (kube-proxy's IPVS mode). With conn_reuse_mode 1, a SYN that finds a
     * closed entry whose packets conntrack confirmed is dropped after the entry is expired (ip_vs_in:
     * is_new_conn_expected with uses_ct); the client's retransmitted SYN, at least 1 s later, is scheduled.
     */
    public void setConntrack(boolean on) {
        this.conntrack = on;
    }

    /** SYNs dropped because an old conntrack entry was confirmed (conntrack with conn_reuse_mode 1). */
    public long synsDroppedForConntrack() {
        return verdicts(IpvsVerdict.REUSE_DROP);
    }

    /** SYNs toward real servers that were lost (SynProxy.rsSynLoss). */
    public long synsLostTowardServers() {
        return synsLostTowardServers;
    }

    /** SYNs the proxy re-sent to real servers after the SYN_SENT timeout. */
    public long synProxyRetries() {
        return synProxyRetries;
    }

    public long droppedNoLocalPort() {
        return verdicts(IpvsVerdict.NO_LOCAL_PORT);
    }

    public long droppedNoServer() {
        return verdicts(IpvsVerdict.NO_SERVER);
    }

    /** SYNs that found an existing entry and were sent to its real server without scheduling. */
    public long reusedEntries() {
        return verdicts(IpvsVerdict.ENTRY_REUSED);
    }

    /** How many packets ended in {@code v}. */
    public long verdicts(IpvsVerdict v) {
        return verdicts[v.ordinal()];
    }

    public long conns() {
        long n = 0;
        for (VirtualService s : services) {
            n += s.conns;
        }
        return n;
    }

    @Override
    protected void receive(Simulator sim, Packet p) {
        countPacket();
        VirtualService svc = serviceFor(p.dstIp, p.dstPort);
        IpvsVerdict v;
        // For --explain only: the client-side key, taken before fromClient rewrites the packet.
        long clientKey = svc != null && explaining() ? TupleTable.key1(p.srcIp, p.srcPort, svc.port) : 0;
        IpvsConnection c = svc != null
                ? (explaining() ? live(byClient.get(clientKey, svc.vip & 0xffffffffL)) : null)
                : live(byServer.get(TupleTable.key1(p.srcIp, p.srcPort, p.dstPort), p.dstIp & 0xffffffffL));
        String before = explaining() ? (c == null ? "none" : c.state.name()) : null;
        if (svc != null) {
            v = fromClient(svc, p);
        } else if (c != null) {
            v = fromServer(c, p);
        } else {
            forward(sim, p);
            v = IpvsVerdict.ROUTED;
        }
        verdicts[v.ordinal()]++;
        if (explaining()) {
            IpvsConnection after = svc != null
                    ? byClient.get(clientKey, svc.vip & 0xffffffffL)
                    : c;
            explain(v.name(), v.kernelFunction(), "entry " + before,
                    "entry " + (after == null || after.expired ? "none" : after.state.name()));
        }
    }

    private boolean expectsNewConnection(IpvsConnection c) {
        if (expireNodestConn && c.server.weight == 0) {
            return true;
        }
        return connReuseMode == 1 && (c.state == IpvsTcpState.TIME_WAIT || c.state == IpvsTcpState.CLOSE);
    }

    private boolean expireNodestConn;

    /** net.ipv4.vs.expire_nodest_conn: entries on a quiesced (weight 0) real server give way to a new SYN. */
    public void setExpireNodestConn(boolean on) {
        this.expireNodestConn = on;
    }

    /** Changes a real server's weight at {@code atNs} (ipvsadm -e -w during the run). */
    public void scheduleWeightChange(long atNs, RealServer server, int weight) {
        sim.at(atNs, this, EV_WEIGHT, weight, server);
    }

    private VirtualService serviceFor(int ip, int port) {
        for (VirtualService s : services) {
            if (s.vip == ip && s.port == port) {
                return s;
            }
        }
        return null;
    }

    private IpvsVerdict fromClient(VirtualService svc, Packet p) {
        long a = TupleTable.key1(p.srcIp, p.srcPort, svc.port);
        long b = svc.vip & 0xffffffffL;
        IpvsConnection c = live(byClient.get(a, b));
        boolean syn = p.has(Packet.SYN) && !p.has(Packet.ACK) && !p.has(Packet.RST);
        if (proxied(svc)) {
            if (c == null || (syn && (c.state == IpvsTcpState.TIME_WAIT || c.state == IpvsTcpState.CLOSE))) {
                return proxyHandshake(svc, c, p, a, b);
            }
            if (c.proxyPending) {
                if (p.payloadLength > 0 || p.has(Packet.FIN)) {
                    c.held = p; // only the latest segment is kept; the client retransmits the rest
                }
                return IpvsVerdict.SYNPROXY_HELD;
            }
        }
        if (c != null && syn && connReuseMode != 0 && expectsNewConnection(c)) {
            // ip_vs_in(): a new SYN on a closed entry (is_new_conn_expected), or on one whose real server was
            // quiesced with expire_nodest_conn set, expires the entry and is scheduled afresh...
            expire(c);
            c = null;
            if (conntrack) {
                // ...unless conntrack confirmed the old flow: IPVS drops this SYN (and the old conntrack entry
                // with the IPVS one), so only the client's retransmission gets through.
                return IpvsVerdict.REUSE_DROP;
            }
        }
        IpvsVerdict verdict = IpvsVerdict.FORWARDED;
        if (c == null) {
            if (!syn) {
                return IpvsVerdict.NO_ENTRY;
            }
            RealServer rs = svc.choose(p.srcIp, p.srcPort, sim.now());
            if (rs == null) {
                return IpvsVerdict.NO_SERVER;
            }
            int sideIp = p.srcIp;
            int sidePort = p.srcPort;
            if (svc.mode == ForwardingMode.FULLNAT) {
                long side = allocateLocalPort(svc, rs, p.srcPort);
                if (side < 0) {
                    return IpvsVerdict.NO_LOCAL_PORT;
                }
                sideIp = (int) (side >>> 16);
                sidePort = (int) (side & 0xffff);
            }
            c = new IpvsConnection(p.srcIp, p.srcPort, svc, rs, sideIp, sidePort);
            c.seqDelta = isnDelta(c, p.seq);
            bind(c, a, b);
            verdict = IpvsVerdict.SCHEDULED;
        } else if (syn) {
            verdict = IpvsVerdict.ENTRY_REUSED;
        }
        c.server.inPkts++;
        svc.inPkts++;
        if (svc.mode == ForwardingMode.DR) {
            // Replies bypass the director: the entry is driven by input alone (IP_VS_CONN_F_NOOUTPUT).
            transition(c, IpvsTcpState.Direction.INPUT_ONLY, p);
            forwardTowards(sim, c.server.ip, p);
            return verdict;
        }
        transition(c, IpvsTcpState.Direction.INPUT, p);
        p.dstIp = c.server.ip;
        p.dstPort = c.server.port;
        if (svc.mode == ForwardingMode.FULLNAT) {
            p.srcIp = c.serverSideIp;
            p.srcPort = c.serverSidePort;
            p.seq += c.seqDelta;
            if (p.has(Packet.ACK)) {
                p.ack += c.serverSeqDelta;
            }
            if (svc.flavor == FullNatFlavor.ALIBABA) {
                p.hasTimestamp = false; // timestamp_remove_entry: the real server judges reuse by sequence only
            }
        }
        return sendTowardServer(p) ? verdict : IpvsVerdict.SYN_LOST_TOWARD_SERVER;
    }

    /**
     * A packet leaving for a real server; a SYN may be lost there (SynProxy.lossAt the last second's rate).
     * Returns false when it was lost.
     */
    private boolean sendTowardServer(Packet p) {
        if (p.has(Packet.SYN) && (synProxy.rsSynLoss() > 0 || synProxy.rsSynLossPerKpps() > 0)
                && random.nextDouble() < synProxy.lossAt(packetsLastSecond())) {
            synsLostTowardServers++;
            return false;
        }
        forward(sim, p);
        return true;
    }

    private long packetSecond = -1;
    private long packetsThisSecond;
    private long packetsPreviousSecond;

    private void countPacket() {
        rollSecond();
        packetsThisSecond++;
    }

    /** Packets handled in the previous whole second of simulated time. */
    private long packetsLastSecond() {
        rollSecond();
        return packetsPreviousSecond;
    }

    private void rollSecond() {
        long second = sim.now() / Simulator.NS_PER_SEC;
        if (second != packetSecond) {
            packetsPreviousSecond = second == packetSecond + 1 ? packetsThisSecond : 0;
            packetsThisSecond = 0;
            packetSecond = second;
        }
    }

    private boolean proxied(VirtualService svc) {
        return synProxy.enabled() && svc.mode == ForwardingMode.FULLNAT;
    }

    /** The SYN cookie: a keyed hash of the client tuple and its ISN. */
    private int cookie(int clientIp, int clientPort, VirtualService svc, int clientIsn) {
        return (int) io.twlab.engine.RandomStreams.mix(cookieSecret ^ ((long) clientIp << 32) ^ ((long) clientPort << 16)
                ^ ((long) svc.vip * 31 + svc.port) ^ ((long) clientIsn << 8));
    }

    /**
     * SYNPROXY's first handshake: answer a SYN with a cookie SYN-ACK (no state); on an ACK that carries a valid
     * cookie, schedule a real server and send it the SYN the proxy keeps for re-sending.
     */
    private IpvsVerdict proxyHandshake(VirtualService svc, IpvsConnection old, Packet p, long a, long b) {
        boolean syn = p.has(Packet.SYN) && !p.has(Packet.ACK) && !p.has(Packet.RST);
        if (syn) {
            Packet synAck = ownPacket(svc.vip, svc.port, p.srcIp, p.srcPort, Packet.SYN | Packet.ACK,
                    cookie(p.srcIp, p.srcPort, svc, p.seq), p.seq + 1);
            synAck.mss = 1460;
            forward(sim, synAck);
            return IpvsVerdict.SYNPROXY_COOKIE_SENT;
        }
        boolean bareAck = p.has(Packet.ACK) && !p.has(Packet.SYN) && !p.has(Packet.RST);
        int clientIsn = p.seq - 1;
        if (!bareAck || p.ack - 1 != cookie(p.srcIp, p.srcPort, svc, clientIsn)) {
            return IpvsVerdict.SYNPROXY_BAD_COOKIE;
        }
        if (old != null) {
            expire(old); // synproxy_conn_reuse: a valid ACK on a closed entry replaces it
        }
        RealServer rs = svc.choose(p.srcIp, p.srcPort, sim.now());
        if (rs == null) {
            return IpvsVerdict.NO_SERVER;
        }
        long side = allocateLocalPort(svc, rs, p.srcPort);
        if (side < 0) {
            return IpvsVerdict.NO_LOCAL_PORT;
        }
        IpvsConnection c = new IpvsConnection(p.srcIp, p.srcPort, svc, rs, (int) (side >>> 16), (int) (side & 0xffff));
        c.clientIsn = clientIsn;
        c.seqDelta = isnDelta(c, clientIsn);
        c.proxyPending = true;
        c.synRetriesLeft = synProxy.synRetries();
        c.synRetryTimeoutNs = timeouts.of(IpvsTcpState.SYN_SENT);
        bind(c, a, b);
        moveTo(c, IpvsTcpState.SYN_SENT, Long.MAX_VALUE); // re-sent by its own timer, not expired by the sweep
        if (p.payloadLength > 0) {
            c.held = p;
        }
        sendProxySyn(c);
        return IpvsVerdict.SYNPROXY_ACK_ACCEPTED;
    }

    /**
     * A new entry enters the table: ip_vs_bind_dest() counts it active (the first state change moves it to
     * inactive), Conns counts a scheduled connection.
     */
    private void bind(IpvsConnection c, long clientKey1, long clientKey2) {
        c.server.activeConns++;
        c.server.conns++;
        c.service.conns++;
        byClient.put(clientKey1, clientKey2, c);
        byServer.put(TupleTable.key1(c.server.ip, c.server.port, c.serverSidePort), c.serverSideIp & 0xffffffffL, c);
        scheduleSweep();
    }

    /**
     * Alibaba FULLNAT's ISN towards the real server (secure_tcp_sequence_number of the new tuple and a clock)
     * minus the client's; 0 for the flavours that keep sequence numbers.
     */
    private int isnDelta(IpvsConnection c, int clientIsn) {
        if (c.service.mode != ForwardingMode.FULLNAT || c.service.flavor != FullNatFlavor.ALIBABA) {
            return 0;
        }
        long tuple = ((c.serverSideIp & 0xffffffffL) << 32) ^ ((long) c.serverSidePort << 16) ^ c.server.ip
                ^ ((long) c.server.port << 48);
        return (int) io.twlab.engine.RandomStreams.mix(cookieSecret ^ tuple) + (int) (sim.now() >>> 6) - clientIsn;
    }

    /** A segment the proxy itself sends on connection {@code c}, from its local address to the real server. */
    private static Packet towardServer(IpvsConnection c, int flags, int seq, int ack) {
        return ownPacket(c.serverSideIp, c.serverSidePort, c.server.ip, c.server.port, flags, seq, ack);
    }

    private static Packet ownPacket(int srcIp, int srcPort, int dstIp, int dstPort, int flags, int seq, int ack) {
        Packet p = new Packet();
        p.srcIp = srcIp;
        p.srcPort = srcPort;
        p.dstIp = dstIp;
        p.dstPort = dstPort;
        p.flags = flags;
        p.seq = seq;
        p.ack = ack;
        p.window = 65535;
        return p;
    }

    /** The SYN to the real server, and the timer that re-sends it (ip_vs_conn_expire with syn_skb). */
    private void sendProxySyn(IpvsConnection c) {
        Packet syn = towardServer(c, Packet.SYN, c.clientIsn + c.seqDelta, 0);
        syn.mss = 1460;
        c.server.inPkts++;
        c.service.inPkts++;
        sendTowardServer(syn);
        c.retryEvent = sim.after(c.synRetryTimeoutNs, this, EV_SYN_RETRY, 0, c);
    }

    private void onSynRetry(IpvsConnection c) {
        if (!c.proxyPending) {
            return;
        }
        if (c.synRetriesLeft == 0) {
            c.expiresAt = sim.now(); // the entry dies; the client's retransmissions find nothing
            expire(c);
            return;
        }
        c.synRetriesLeft--;
        synProxyRetries++;
        if (synProxy.exponential()) {
            c.synRetryTimeoutNs *= 2;
        }
        sendProxySyn(c);
    }

    /**
     * A local (address, port) for a full-NAT connection, packed as address << 16 | port, or -1. Alibaba: the next
     * local address round-robin, its counter stepping from 5000 and skipping tuples in use (10000 tries).
     * Masquerade: the client's own port if free (nf_nat keeps it), else the next free one from 1024.
     */
    private long allocateLocalPort(VirtualService svc, RealServer rs, int clientPort) {
        int n = svc.localAddresses.length;
        int li = svc.nextLocalAddress;
        svc.nextLocalAddress = (li + 1) % n;
        int laddr = svc.localAddresses[li];
        long packedAddress = (laddr & 0xffffffffL) << 16;
        if (svc.flavor == FullNatFlavor.MASQUERADE) {
            int range = 65535 - 1024 + 1;
            for (int i = 0; i < range; i++) {
                int port = i == 0 && clientPort >= 1024 ? clientPort : 1024 + Math.floorMod(clientPort - 1024 + i, range);
                if (live(byServer.get(TupleTable.key1(rs.ip, rs.port, port), laddr & 0xffffffffL)) == null) {
                    return packedAddress | port;
                }
            }
            return -1;
        }
        int range = 65535 - LPORT_MIN + 1;
        for (int tries = 0; tries < 10_000; tries++) {
            int port = LPORT_MIN + (++svc.portCounters[li] % range);
            if (live(byServer.get(TupleTable.key1(rs.ip, rs.port, port), laddr & 0xffffffffL)) == null) {
                return packedAddress | port;
            }
        }
        return -1;
    }

    private IpvsVerdict fromServer(IpvsConnection c, Packet p) {
        if (c.proxyPending) {
            if (p.has(Packet.SYN) && p.has(Packet.ACK)) {
                completeProxiedHandshake(c, p);
                return IpvsVerdict.SYNPROXY_SERVER_ANSWERED;
            }
            return IpvsVerdict.SYNPROXY_PENDING_IGNORED;
        }
        transition(c, IpvsTcpState.Direction.OUTPUT, p);
        c.server.outPkts++;
        c.service.outPkts++;
        p.srcIp = c.service.vip;
        p.srcPort = c.service.port;
        if (c.service.mode == ForwardingMode.FULLNAT) {
            p.dstIp = c.clientIp;
            p.dstPort = c.clientPort;
            p.seq -= c.serverSeqDelta;
            if (p.has(Packet.ACK)) {
                p.ack -= c.seqDelta;
            }
        }
        forward(sim, p);
        return IpvsVerdict.REPLY_FORWARDED;
    }

    /**
     * The real server answered the proxy's SYN: the proxy acknowledges it, from now on translates the server's
     * sequence space to the cookie's, and forwards the client's held segment.
     */
    private void completeProxiedHandshake(IpvsConnection c, Packet synAck) {
        c.proxyPending = false;
        sim.cancel(c.retryEvent);
        int cookieIsn = cookie(c.clientIp, c.clientPort, c.service, c.clientIsn);
        c.serverSeqDelta = synAck.seq - cookieIsn;
        c.server.outPkts++;
        c.service.outPkts++;
        moveTo(c, IpvsTcpState.ESTABLISHED, sim.now() + timeouts.of(IpvsTcpState.ESTABLISHED));
        forward(sim, towardServer(c, Packet.ACK, c.clientIsn + 1 + c.seqDelta, synAck.seq + 1));
        Packet held = c.held;
        c.held = null;
        if (held != null) {
            fromClient(c.service, held);
        }
    }

    /** set_tcp_state(): next state, active/inactive accounting, and the new state's timeout from now. */
    private void transition(IpvsConnection c, IpvsTcpState.Direction direction, Packet p) {
        int event = IpvsTcpState.event(p.has(Packet.RST), p.has(Packet.SYN), p.has(Packet.FIN), p.has(Packet.ACK));
        IpvsTcpState next = c.state.next(direction, event);
        moveTo(c, next, sim.now() + timeouts.of(next));
    }

    /** Moves an entry to a state: inactive unless ESTABLISHED (IP_VS_CONN_F_INACTIVE), expiring at {@code expiresAt}. */
    private void moveTo(IpvsConnection c, IpvsTcpState next, long expiresAt) {
        if (next != c.state) {
            RealServer rs = c.server;
            if (!c.inactive && next != IpvsTcpState.ESTABLISHED) {
                rs.activeConns--;
                rs.inactConns++;
                c.inactive = true;
            } else if (c.inactive && next == IpvsTcpState.ESTABLISHED) {
                rs.activeConns++;
                rs.inactConns--;
                c.inactive = false;
            }
        }
        c.state = next;
        c.expiresAt = expiresAt;
        fileForExpiry(c);
    }

    private void fileForExpiry(IpvsConnection c) {
        if (c.expiresAt == Long.MAX_VALUE) {
            return;
        }
        long second = Math.floorDiv(c.expiresAt + Simulator.NS_PER_SEC - 1, Simulator.NS_PER_SEC);
        if (second == c.filedSecond) {
            return;
        }
        c.filedSecond = second;
        java.util.ArrayList<IpvsConnection> due = dueBySecond.get(second);
        if (due == null) {
            due = new java.util.ArrayList<>();
            dueBySecond.put(second, due);
        }
        due.add(c);
    }

    private IpvsConnection live(IpvsConnection c) {
        if (c != null && c.expiresAt <= sim.now()) {
            expire(c);
            return null;
        }
        return c;
    }

    private void expire(IpvsConnection c) {
        c.expired = true;
        byClient.remove(TupleTable.key1(c.clientIp, c.clientPort, c.service.port), c.service.vip & 0xffffffffL);
        byServer.remove(TupleTable.key1(c.server.ip, c.server.port, c.serverSidePort), c.serverSideIp & 0xffffffffL);
        if (c.inactive) {
            c.server.inactConns--;
        } else {
            c.server.activeConns--;
        }
    }

    private void scheduleSweep() {
        if (!sweepScheduled) {
            sweepScheduled = true;
            sim.after(SWEEP_NS, this, EV_SWEEP, 0, null);
        }
    }

    /** Expires entries once a second, so ActiveConn/InActConn read as ipvsadm would show them. */
    @Override
    protected void onTimer(Simulator sim, int kind, long arg, Object payload) {
        if (kind == EV_SYN_RETRY) {
            onSynRetry((IpvsConnection) payload);
            return;
        }
        if (kind == EV_WEIGHT) {
            ((RealServer) payload).setWeight((int) arg);
            return;
        }
        sweepScheduled = false;
        long now = sim.now();
        long second = now / Simulator.NS_PER_SEC;
        for (long s = nextSweepSecond < 0 ? second : nextSweepSecond; s <= second; s++) {
            java.util.ArrayList<IpvsConnection> due = dueBySecond.remove(s);
            if (due == null) {
                continue;
            }
            for (IpvsConnection c : due) {
                // Only the entry's current filing counts, and only if it is still in the table.
                if (c.filedSecond == s && c.expiresAt <= now && !c.expired) {
                    expire(c);
                }
            }
        }
        nextSweepSecond = second + 1;
        for (VirtualService v : services) {
            v.pruneTemplates(now);
        }
        if (byClient.size() > 0) {
            scheduleSweep();
        }
    }
}
