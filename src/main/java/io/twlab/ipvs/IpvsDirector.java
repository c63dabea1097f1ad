package io.twlab.ipvs;

import io.twlab.kernel.JiffyClock;
import io.twlab.engine.Simulator;
import io.twlab.net.NetNode;
import io.twlab.net.Packet;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * An IPVS director (net/netfilter/ipvs/ip_vs_core.c ip_vs_in/ip_vs_out) in NAT, DR or full-NAT mode: a SYN to a
 * virtual service with no connection entry is scheduled to a real server (Conns++), the entry follows the
 * segments through the IPVS TCP state table with that state's timeout, later packets of the same client tuple
 * follow the entry, and replies are translated back to the VIP. An entry found by a new SYN is reused with its
 * real server ("affinity") unless conn_reuse_mode 1 expires it first (closed states only) and schedules again.
 * This class dispatches; the table and expiry, the forwarding rewrites, SYNPROXY, the full-NAT local address
 * pools and the loss toward real servers each have their own file.
 */
public final class IpvsDirector extends NetNode {
    private static final int EV_SWEEP = 1;
    private static final int EV_SYN_RETRY = 2;
    private static final int EV_WEIGHT = 3;
    private static final long SWEEP_NS = Simulator.NS_PER_SEC;

    private final Simulator sim;
    private final List<VirtualService> services;
    private final int[] vips;
    private final IpvsTimeouts timeouts;
    private final int connReuseMode;
    private final IpvsConnectionTable table;
    private final RealServerPath towardServers;
    private final SynProxyHandshake synProxy;
    private final boolean synProxyEnabled;
    private final long cookieSecret;
    private final long[] verdicts = new long[IpvsVerdict.values().length];
    private boolean sweepScheduled;
    private boolean conntrack;
    private boolean expireNodestConn;

    public IpvsDirector(Simulator sim, String name, List<VirtualService> services, IpvsTimeouts timeouts,
                        int connReuseMode, SynProxy synProxy, JiffyClock clock, SplittableRandom random) {
        super(name);
        this.sim = sim;
        this.services = List.copyOf(services);
        this.vips = IntStream.concat(services.stream().mapToInt(VirtualService::vip),
                services.stream().flatMapToInt(v -> Arrays.stream(v.localAddresses()))).distinct().toArray();
        this.timeouts = timeouts;
        this.connReuseMode = connReuseMode;
        this.cookieSecret = random.nextLong();
        this.table = new IpvsConnectionTable(sim, timeouts, clock);
        this.towardServers = new RealServerPath(sim, synProxy, random);
        this.synProxyEnabled = synProxy.enabled();
        this.synProxy = new SynProxyHandshake(sim, this, table, synProxy, timeouts.of(IpvsTcpState.SYN_SENT),
                cookieSecret);
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
        return table.size();
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

    /** net.ipv4.vs.expire_nodest_conn: entries on a quiesced (weight 0) real server give way to a new SYN. */
    public void setExpireNodestConn(boolean on) {
        this.expireNodestConn = on;
    }

    /** Changes a real server's weight at {@code atNs} (ipvsadm -e -w during the run). */
    public void scheduleWeightChange(long atNs, RealServer server, int weight) {
        sim.at(atNs, this, EV_WEIGHT, weight, server);
    }

    /** SYNs dropped because an old conntrack entry was confirmed (conntrack with conn_reuse_mode 1). */
    public long synsDroppedForConntrack() {
        return verdicts(IpvsVerdict.REUSE_DROP);
    }

    /** SYNs toward real servers that were lost (SynProxy.rsSynLoss). */
    public long synsLostTowardServers() {
        return towardServers.synsLost();
    }

    /** SYNs the proxy re-sent to real servers after the SYN_SENT timeout. */
    public long synProxyRetries() {
        return synProxy.retries();
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
        towardServers.countPacket();
        VirtualService svc = serviceFor(p.dstIp, p.dstPort);
        IpvsConnection c = svc != null
                ? (explaining() ? table.fromClient(p.srcIp, p.srcPort, svc) : null)
                : table.fromServer(p.srcIp, p.srcPort, p.dstIp, p.dstPort);
        String before = explaining() ? (c == null ? "none" : c.state.name()) : null;
        // For --explain only: the client tuple, taken before fromClient rewrites the packet.
        int clientIp = p.srcIp;
        int clientPort = p.srcPort;
        IpvsVerdict v;
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
            IpvsConnection after = svc != null ? table.peekFromClient(clientIp, clientPort, svc) : c;
            explain(v.name(), v.kernelFunction(), "entry " + before,
                    "entry " + (after == null || after.expired ? "none" : after.state.name()));
        }
    }

    private VirtualService serviceFor(int ip, int port) {
        for (VirtualService s : services) {
            if (s.vip == ip && s.port == port) {
                return s;
            }
        }
        return null;
    }

    /** is_new_conn_expected(): whether a new SYN on this entry should expire it and be scheduled afresh. */
    private boolean expectsNewConnection(IpvsConnection c) {
        if (expireNodestConn && c.server.weight == 0) {
            return true;
        }
        return connReuseMode == 1 && c.state.closed();
    }

    private IpvsVerdict fromClient(VirtualService svc, Packet p) {
        IpvsConnection c = table.fromClient(p.srcIp, p.srcPort, svc);
        boolean syn = p.has(Packet.SYN) && !p.has(Packet.ACK) && !p.has(Packet.RST);
        if (synProxyEnabled && svc.mode == ForwardingMode.FULLNAT) {
            if (c == null || (syn && c.state.closed())) {
                return synProxy.fromClient(svc, c, p);
            }
            if (c.proxyPending) {
                return synProxy.hold(c, p);
            }
        }
        if (c != null && syn && connReuseMode != 0 && expectsNewConnection(c)) {
            // ip_vs_in(): a new SYN on a closed entry, or on one whose real server was quiesced with
            // expire_nodest_conn set, expires the entry and is scheduled afresh...
            table.expire(c);
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
                long side = svc.localPool.allocate(rs, p.srcPort, table);
                if (side < 0) {
                    return IpvsVerdict.NO_LOCAL_PORT;
                }
                sideIp = (int) (side >>> 16);
                sidePort = (int) (side & 0xffff);
            }
            c = new IpvsConnection(p.srcIp, p.srcPort, svc, rs, sideIp, sidePort);
            c.seqDelta = Forwarding.isnDelta(c, p.seq, cookieSecret, sim.now());
            admit(c);
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
        Forwarding.towardServer(c, p);
        return sendTowardServer(p) ? verdict : IpvsVerdict.SYN_LOST_TOWARD_SERVER;
    }

    private IpvsVerdict fromServer(IpvsConnection c, Packet p) {
        if (c.proxyPending) {
            return synProxy.fromServer(c, p, timeouts.of(IpvsTcpState.ESTABLISHED));
        }
        transition(c, IpvsTcpState.Direction.OUTPUT, p);
        c.server.outPkts++;
        c.service.outPkts++;
        Forwarding.towardClient(c, p);
        forward(sim, p);
        return IpvsVerdict.REPLY_FORWARDED;
    }

    private void transition(IpvsConnection c, IpvsTcpState.Direction direction, Packet p) {
        table.transition(c, direction, p.has(Packet.RST), p.has(Packet.SYN), p.has(Packet.FIN), p.has(Packet.ACK));
    }

    /** A new entry enters the table, and the sweep runs while the table holds any. */
    void admit(IpvsConnection c) {
        table.bind(c);
        scheduleSweep();
    }

    private void scheduleSweep() {
        if (!sweepScheduled) {
            sweepScheduled = true;
            sim.after(SWEEP_NS, this, EV_SWEEP, 0, null);
        }
    }

    /** A packet the director itself sends. */
    void emit(Packet p) {
        forward(sim, p);
    }

    /** A packet leaving for a real server; a SYN may be lost there. Returns false when it was lost. */
    boolean sendTowardServer(Packet p) {
        if (p.has(Packet.SYN) && towardServers.loseSyn()) {
            return false;
        }
        forward(sim, p);
        return true;
    }

    long scheduleSynRetry(long delayNs, IpvsConnection c) {
        return sim.after(delayNs, this, EV_SYN_RETRY, 0, c);
    }

    /** SYNPROXY: a client segment held during the server handshake goes through as if it arrived now. */
    void replay(VirtualService svc, Packet held) {
        fromClient(svc, held);
    }

    /** The SYNPROXY re-send timer, the weight changes, and the once-a-second expiry sweep. */
    @Override
    protected void onTimer(Simulator sim, int kind, long arg, Object payload) {
        switch (kind) {
            case EV_SYN_RETRY -> synProxy.onRetryTimer((IpvsConnection) payload);
            case EV_WEIGHT -> ((RealServer) payload).setWeight((int) arg);
            default -> {
                sweepScheduled = false;
                table.sweep();
                for (VirtualService v : services) {
                    v.pruneTemplates(sim.now());
                }
                if (table.size() > 0) {
                    scheduleSweep();
                }
            }
        }
    }
}
