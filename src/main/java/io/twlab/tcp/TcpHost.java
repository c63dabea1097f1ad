package io.twlab.tcp;

import io.twlab.engine.RandomStreams;
import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Sysctl;
import io.twlab.kernel.Sysctls;
import io.twlab.net.NetNode;
import io.twlab.net.Packet;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * A Linux host's TCP stack on one IPv4 address: sockets keyed by (remote address, remote port, local port),
 * listeners, the TIME_WAIT table with its version's reaper, and the host's counters. This class is the
 * dispatcher of tcp_v4_rcv() and the socket API; each role lives in its own file:
 * <ul>
 * <li>{@link ListenInput}: a segment for a listener (tcp_conn_request), tw_recycle's check;</li>
 * <li>{@link HandshakeInput}: SYN_SENT and SYN_RECV (tcp_rcv_synsent_state_process, tcp_check_req);</li>
 * <li>{@link SynchronizedInput}: ESTABLISHED to LAST_ACK (tcp_validate_incoming, tcp_ack, tcp_fin);</li>
 * <li>{@link TimeWaitInput} with {@link TimeWaitProcessor}: tcp_timewait_state_process();</li>
 * <li>{@link SegmentOutput}: segments, ACKs and resets; {@link ConnectionTimers}: RTO, delayed ACK, FIN_WAIT2;</li>
 * <li>{@link EphemeralPorts}: connect()'s port; {@link SequenceClocks}: ISN and TSval;
 * {@link PeerTimestamps}: tw_recycle's per-peer memory.</li>
 * </ul>
 * The behaviour that differs between kernel versions comes from the {@link KernelProfile}. Every inbound
 * segment ends in one {@link TcpVerdict}, counted per reason.
 */
public final class TcpHost extends NetNode {
    static final long RTO_MIN_NS = 200 * Simulator.NS_PER_MS;
    static final long RTO_MAX_NS = 120 * Simulator.NS_PER_SEC;
    static final int WINDOW = 65535;
    static final int OUR_MSS = 1460;

    final Simulator sim;
    private final int ip;
    private final int[] owned;
    /** Addresses the host accepts but does not announce (a DR real server's VIP on lo with arp_ignore). */
    private int[] hiddenAddresses = new int[0];
    final KernelProfile profile;
    final Sysctls sysctls;
    final HostClock clock;
    final Counters counters = new Counters();
    final Long2ObjectOpenHashMap<TcpConnection> connections = new Long2ObjectOpenHashMap<>();
    final Int2ObjectOpenHashMap<Listener> listeners = new Int2ObjectOpenHashMap<>();
    final TimeWaitTable timeWait = new TimeWaitTable();
    private final long[] verdicts = new long[TcpVerdict.values().length];

    final int synRetries;
    final int synackRetries;
    final int linearTimeouts;
    final boolean timestamps;
    final boolean twRecycle;
    final long maxTwBuckets;
    final long finTimeoutNs;
    private final int somaxconn;
    final int maxSynBacklog;
    final long initialRtoNs;

    final SegmentOutput output;
    final ConnectionTimers timers;
    final SequenceClocks clocks;
    final PeerTimestamps peers;
    final EphemeralPorts ports;
    final ListenInput listenInput;
    final HandshakeInput handshake;
    final SynchronizedInput synchronizedInput;
    final TimeWaitInput timeWaitInput;

    public TcpHost(Simulator sim, String name, int ip, KernelProfile profile, Sysctls sysctls, HostClock clock,
                   RandomStreams random) {
        super(name);
        this.sim = sim;
        this.ip = ip;
        this.owned = new int[] {ip};
        this.profile = profile;
        this.sysctls = sysctls;
        this.clock = clock;
        this.synRetries = (int) sysctls.get(Sysctls.TCP_SYN_RETRIES);
        this.synackRetries = (int) sysctls.get(Sysctls.TCP_SYNACK_RETRIES);
        this.linearTimeouts = profile.synLinearTimeouts() ? (int) sysctls.get(Sysctls.TCP_SYN_LINEAR_TIMEOUTS) : 0;
        this.timestamps = sysctls.get(Sysctls.TCP_TIMESTAMPS) != 0;
        this.twRecycle = profile.hasTwRecycle() && sysctls.get(Sysctls.TCP_TW_RECYCLE) != 0;
        this.maxTwBuckets = sysctls.get(Sysctls.TCP_MAX_TW_BUCKETS);
        this.finTimeoutNs = sysctls.get(Sysctls.TCP_FIN_TIMEOUT) * Simulator.NS_PER_SEC;
        this.somaxconn = (int) sysctls.get(Sysctls.SOMAXCONN);
        this.maxSynBacklog = (int) sysctls.get(Sysctls.TCP_MAX_SYN_BACKLOG);
        this.initialRtoNs = profile.initialRtoMs() * Simulator.NS_PER_MS;
        long invalidRateLimitNs = sysctls.has(Sysctls.TCP_INVALID_RATELIMIT)
                ? sysctls.get(Sysctls.TCP_INVALID_RATELIMIT) * Simulator.NS_PER_MS : 0;
        TimeWaitReaper.create(profile, sim, timeWait, counters, clock);
        // With tw_recycle the TIME_WAIT lasts 3.5 x RTO; the model's RTO here is the minimum (200 ms).
        long recycleTimeout = twRecycle ? RTO_MIN_NS * 7 / 2 : 0;
        TimeWaitProcessor processor = new TimeWaitProcessor(timeWait, profile, counters,
                sysctls.get(Sysctls.TCP_RFC1337) != 0, invalidRateLimitNs, recycleTimeout);
        long range = sysctls.get(Sysctls.IP_LOCAL_PORT_RANGE);
        this.clocks = new SequenceClocks(this, random.secret("host/" + name),
                (random.secret("wall/" + name) >>> 8) & ((1L << 52) - 1), sysctls.get(Sysctls.TCP_TIMESTAMPS) == 2);
        this.output = new SegmentOutput(this);
        this.timers = new ConnectionTimers(this);
        this.peers = new PeerTimestamps(this);
        this.ports = new EphemeralPorts(this, clocks.secret(), Sysctl.rangeLow(range), Sysctl.rangeHigh(range),
                (int) sysctls.get(Sysctls.TCP_TW_REUSE), random.stream("ports/" + name));
        this.listenInput = new ListenInput(this);
        this.handshake = new HandshakeInput(this);
        this.synchronizedInput = new SynchronizedInput(this);
        this.timeWaitInput = new TimeWaitInput(this, processor);
    }

    public int ip() {
        return ip;
    }

    @Override
    public int[] ownedAddresses() {
        return owned;
    }

    public KernelProfile profile() {
        return profile;
    }

    public Counters counters() {
        return counters;
    }

    public TimeWaitTable timeWait() {
        return timeWait;
    }

    public HostClock clock() {
        return clock;
    }

    public int connectionCount() {
        return connections.size();
    }

    /** connect() calls that failed with EADDRNOTAVAIL because ports were held as {@code cause} says. */
    public long noPortFailures(NoPortCause cause) {
        return ports.failures(cause);
    }

    /** The causes that failed connect() at least once, with their counts, in enum order. */
    public Map<NoPortCause, Long> noPortFailures() {
        Map<NoPortCause, Long> out = new EnumMap<>(NoPortCause.class);
        for (NoPortCause c : NoPortCause.values()) {
            if (ports.failures(c) > 0) {
                out.put(c, ports.failures(c));
            }
        }
        return out;
    }

    /** How many inbound segments ended in {@code v}. */
    public long verdicts(TcpVerdict v) {
        return verdicts[v.ordinal()];
    }

    /**
     * Accepts packets for {@code vip} without taking over its routing, as a real server of an IPVS director in
     * DR mode does with the VIP on its loopback (arp_ignore/arp_announce). Replies leave from the VIP.
     */
    public void addHiddenAddress(int vip) {
        hiddenAddresses = Arrays.copyOf(hiddenAddresses, hiddenAddresses.length + 1);
        hiddenAddresses[hiddenAddresses.length - 1] = vip;
    }

    private boolean isLocal(int address) {
        if (address == ip) {
            return true;
        }
        for (int a : hiddenAddresses) {
            if (a == address) {
                return true;
            }
        }
        return false;
    }

    public static long tupleKey(int remoteIp, int remotePort, int localPort) {
        return ((remoteIp & 0xffffffffL) << 32) | ((long) remotePort << 16) | localPort;
    }

    // ---- the socket API ----

    public void listen(int port, int backlog, Listener.AcceptHandler handler) {
        listeners.put(port, new Listener(port, Math.min(backlog, somaxconn), handler));
    }

    /**
     * connect() (tcp_v4_connect): picks an ephemeral port and sends the SYN; returns null when no port is free
     * (EADDRNOTAVAIL).
     */
    public TcpConnection connect(int remoteIp, int remotePort, TcpApp app) {
        long now = sim.now();
        int port = ports.pick(remoteIp, remotePort);
        if (port < 0) {
            return null;
        }
        long key = tupleKey(remoteIp, remotePort, port);
        TcpConnection c = new TcpConnection(this, key, ip, port, remoteIp, remotePort);
        c.app = app;
        c.iss = clocks.secureSequence(ip, port, remoteIp, remotePort);
        c.tsOffset = clocks.timestampOffset(ip, port, remoteIp, remotePort);
        int tw = ports.reusedTimeWait();
        if (tw >= 0) {
            // tcp_twsk_unique(): take over the TIME_WAIT tuple, continuing its sequence space and ts_recent.
            c.iss = timeWait.reopenIsn(tw);
            c.tsRecent = timeWait.tsRecent[tw];
            c.tsRecentStamp = timeWait.tsRecentStamp[tw];
            timeWait.remove(tw, false, now);
            counters.inc(Counter.TWRecycled);
        }
        c.sndUna = c.iss;
        c.sndNxt = c.iss + 1;
        c.sendLimit = c.sndNxt;
        c.rtoNs = initialRtoNs;
        c.state = TcpState.SYN_SENT;
        connections.put(key, c);
        counters.inc(Counter.ActiveOpens);
        c.synTsVal = clocks.tsNow(c);
        output.sendSegment(c, Packet.SYN, c.iss, 0, true);
        c.rttSampleSentNs = now;
        c.rttSampleSeq = c.iss;
        timers.setRto(c, c.rtoNs);
        return c;
    }

    void appSend(TcpConnection c, int bytes) {
        c.sendLimit += bytes;
        output.output(c);
    }

    /** close(): tcp_close() sends a FIN from ESTABLISHED and CLOSE_WAIT; a handshake in progress just goes. */
    void appClose(TcpConnection c) {
        c.appClosed = true;
        c.appNotified = true;
        switch (c.state) {
            case SYN_SENT, SYN_RECV -> destroy(c);
            case ESTABLISHED -> {
                c.state = TcpState.FIN_WAIT_1;
                c.finQueued = true;
                output.output(c);
            }
            case CLOSE_WAIT -> {
                c.state = TcpState.LAST_ACK;
                c.finQueued = true;
                output.output(c);
            }
            default -> {
            }
        }
    }

    /** close() with SO_LINGER 0 (tcp_disconnect): an RST, counted as TCPAbortOnClose. */
    void appAbort(TcpConnection c) {
        c.appClosed = true;
        c.appNotified = true;
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.CLOSED) {
            destroy(c);
            return;
        }
        if (c.state == TcpState.ESTABLISHED || c.state == TcpState.CLOSE_WAIT) {
            counters.inc(Counter.EstabResets);
        }
        counters.inc(Counter.TCPAbortOnClose);
        output.sendControl(c, Packet.RST | Packet.ACK);
        destroy(c);
    }

    // ---- input: tcp_v4_rcv() ----

    @Override
    protected void receive(Simulator sim, Packet p) {
        if (!isLocal(p.dstIp)) {
            forward(sim, p);
            return;
        }
        counters.inc(Counter.InSegs);
        long key = tupleKey(p.srcIp, p.srcPort, p.dstPort);
        String before = explaining() ? socketState(key, p.dstPort) : null;
        TcpVerdict v = dispatch(key, p);
        verdicts[v.ordinal()]++;
        if (before != null) {
            explain(v.name(), v.kernelFunction(), before, socketState(key, p.dstPort));
        }
    }

    private TcpVerdict dispatch(long key, Packet p) {
        TcpConnection c = connections.get(key);
        if (c != null) {
            return switch (c.state) {
                case SYN_SENT -> handshake.synSent(c, p);
                case SYN_RECV -> handshake.synRecv(c, p);
                default -> synchronizedInput.input(c, p);
            };
        }
        int tw = timeWait.find(key);
        if (tw >= 0) {
            return timeWaitInput.input(tw, p);
        }
        return listenInput.input(p, 0);
    }

    /** The state of the socket a segment for {@code key} meets, as ss names it. */
    private String socketState(long key, int localPort) {
        TcpConnection c = connections.get(key);
        if (c != null) {
            return c.state.name();
        }
        int tw = timeWait.find(key);
        if (tw >= 0) {
            return timeWait.substate(tw) == TimeWaitTable.SUBSTATE_FIN_WAIT2 ? "FIN_WAIT_2(tw)" : "TIME_WAIT";
        }
        return listeners.containsKey(localPort) ? "LISTEN" : "CLOSED";
    }

    /** Hands an outbound segment to the routing of this element. */
    void send(Packet p) {
        forward(sim, p);
    }

    // ---- teardown ----

    void finish(TcpConnection c, CloseReason reason) {
        destroy(c);
        notifyClosed(c, reason);
    }

    void destroy(TcpConnection c) {
        if (c.state == TcpState.SYN_RECV) {
            ListenInput.releaseRequest(c);
        }
        connections.remove(c.key);
        c.state = TcpState.CLOSED;
        timers.stop(c);
    }

    void notifyClosed(TcpConnection c, CloseReason reason) {
        if (!c.appNotified && c.app != null) {
            c.appNotified = true;
            c.app.onClosed(c, reason);
        }
    }

    @Override
    protected void onTimer(Simulator sim, int kind, long arg, Object payload) {
        timers.fire((TcpConnection) payload);
    }
}
