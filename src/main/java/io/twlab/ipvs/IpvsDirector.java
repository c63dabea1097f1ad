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
    private long droppedNoEntry;
    private long droppedNoServer;
    private long reusedEntries;
    private long droppedNoLocalPort;

    public IpvsDirector(Simulator sim, String name, List<VirtualService> services, IpvsTimeouts timeouts,
                        int connReuseMode) {
        super(name);
        this.sim = sim;
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
        return droppedNoEntry;
    }

    public long droppedNoLocalPort() {
        return droppedNoLocalPort;
    }

    public long droppedNoServer() {
        return droppedNoServer;
    }

    /** SYNs that found an existing entry and were sent to its real server without scheduling. */
    public long reusedEntries() {
        return reusedEntries;
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
        VirtualService svc = serviceFor(p.dstIp, p.dstPort);
        if (svc != null) {
            fromClient(svc, p);
            return;
        }
        IpvsConnection c = live(byServer.get(TupleTable.key1(p.srcIp, p.srcPort, p.dstPort), p.dstIp & 0xffffffffL));
        if (c != null) {
            fromServer(c, p);
        } else {
            forward(sim, p);
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

    private void fromClient(VirtualService svc, Packet p) {
        long a = TupleTable.key1(p.srcIp, p.srcPort, svc.port);
        long b = svc.vip & 0xffffffffL;
        IpvsConnection c = live(byClient.get(a, b));
        boolean syn = p.has(Packet.SYN) && !p.has(Packet.ACK) && !p.has(Packet.RST);
        if (c != null && syn && connReuseMode == 1
                && (c.state == IpvsTcpState.TIME_WAIT || c.state == IpvsTcpState.CLOSE)) {
            // is_new_conn_expected(): a new SYN on a closed entry expires it and is scheduled afresh.
            expire(c);
            c = null;
        }
        if (c == null) {
            if (!syn) {
                droppedNoEntry++;
                return;
            }
            RealServer rs = svc.scheduler.pick(svc.servers, svc.schedulerState, p.srcIp, p.srcPort);
            if (rs == null) {
                droppedNoServer++;
                return;
            }
            int sideIp = p.srcIp;
            int sidePort = p.srcPort;
            if (svc.mode == ForwardingMode.FULLNAT) {
                long side = allocateLocalPort(svc, rs, p.srcPort);
                if (side < 0) {
                    droppedNoLocalPort++;
                    return;
                }
                sideIp = (int) (side >>> 16);
                sidePort = (int) (side & 0xffff);
            }
            c = new IpvsConnection(p.srcIp, p.srcPort, svc, rs, sideIp, sidePort);
            if (svc.mode == ForwardingMode.FULLNAT && svc.flavor == FullNatFlavor.ALIBABA) {
                c.seqDelta = (int) io.twlab.engine.RandomStreams.mix(((long) sideIp << 32) ^ ((long) sidePort << 16)
                        ^ rs.ip ^ ((long) rs.port << 48) ^ sim.now() >>> 6) - p.seq;
            }
            // ip_vs_bind_dest(): a new entry starts active; the first transition moves it to inactive.
            rs.activeConns++;
            rs.conns++;
            svc.conns++;
            byClient.put(a, b, c);
            byServer.put(TupleTable.key1(rs.ip, rs.port, c.serverSidePort), c.serverSideIp & 0xffffffffL, c);
            scheduleSweep();
        } else if (syn) {
            reusedEntries++;
        }
        c.server.inPkts++;
        svc.inPkts++;
        if (svc.mode == ForwardingMode.DR) {
            // Replies bypass the director: the entry is driven by input alone (IP_VS_CONN_F_NOOUTPUT).
            transition(c, IpvsTcpState.Direction.INPUT_ONLY, p);
            forwardTowards(sim, c.server.ip, p);
            return;
        }
        transition(c, IpvsTcpState.Direction.INPUT, p);
        p.dstIp = c.server.ip;
        p.dstPort = c.server.port;
        if (svc.mode == ForwardingMode.FULLNAT) {
            p.srcIp = c.serverSideIp;
            p.srcPort = c.serverSidePort;
            p.seq += c.seqDelta;
            if (svc.flavor == FullNatFlavor.ALIBABA) {
                p.hasTimestamp = false; // timestamp_remove_entry: the real server judges reuse by sequence only
            }
        }
        forward(sim, p);
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

    private void fromServer(IpvsConnection c, Packet p) {
        transition(c, IpvsTcpState.Direction.OUTPUT, p);
        c.server.outPkts++;
        c.service.outPkts++;
        p.srcIp = c.service.vip;
        p.srcPort = c.service.port;
        if (c.service.mode == ForwardingMode.FULLNAT) {
            p.dstIp = c.clientIp;
            p.dstPort = c.clientPort;
            if (p.has(Packet.ACK)) {
                p.ack -= c.seqDelta;
            }
        }
        forward(sim, p);
    }

    /** set_tcp_state(): next state, active/inactive accounting, and the new state's timeout from now. */
    private void transition(IpvsConnection c, IpvsTcpState.Direction direction, Packet p) {
        int event = IpvsTcpState.event(p.has(Packet.RST), p.has(Packet.SYN), p.has(Packet.FIN), p.has(Packet.ACK));
        IpvsTcpState next = c.state.next(direction, event);
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
        c.expiresAt = sim.now() + timeouts.of(next);
    }

    private IpvsConnection live(IpvsConnection c) {
        if (c != null && c.expiresAt <= sim.now()) {
            expire(c);
            return null;
        }
        return c;
    }

    private void expire(IpvsConnection c) {
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
        sweepScheduled = false;
        long now = sim.now();
        byClient.removeIf(c -> c.expiresAt <= now, this::expire);
        if (byClient.size() > 0) {
            scheduleSweep();
        }
    }
}
