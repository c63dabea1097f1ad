package io.twlab.tcp;

import io.twlab.engine.RandomStreams;
import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.PortSelection;
import io.twlab.kernel.Sysctl;
import io.twlab.kernel.Sysctls;
import io.twlab.kernel.TimestampClock;
import io.twlab.kernel.TsOffsetPolicy;
import io.twlab.kernel.TwReuseRule;
import io.twlab.net.NetNode;
import io.twlab.net.Packet;
import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;

import static io.twlab.net.Seq.after;
import static io.twlab.net.Seq.before;
import static io.twlab.net.Seq.between;

/**
 * A Linux host's TCP stack on one IPv4 address: sockets keyed by (remote address, remote port, local port),
 * listeners, the TIME_WAIT table with its version's reaper, and the host's counters. The behaviour that
 * differs between kernel versions comes from the {@link KernelProfile}; the structure follows tcp_v4_rcv().
 */
public final class TcpHost extends NetNode {
    private static final int EV_CONN_TIMER = 1;
    private static final long RTO_MIN_NS = 200 * Simulator.NS_PER_MS;
    private static final long RTO_MAX_NS = 120 * Simulator.NS_PER_SEC;
    private static final long DELACK_NS = 40 * Simulator.NS_PER_MS;
    private static final int RETRIES2 = 15;
    private static final int WINDOW = 65535;
    private static final int OUR_MSS = 1460;

    private final Simulator sim;
    private final int ip;
    private final int[] owned;
    /** Addresses the host accepts but does not announce (a DR real server's VIP on lo with arp_ignore). */
    private int[] hiddenAddresses = new int[0];
    private final KernelProfile profile;
    private final Sysctls sysctls;
    private final HostClock clock;
    private final long secret;
    private final long wallClockAtStartNs;
    private final boolean jiffiesClock;
    private final Counters counters = new Counters();
    private final Long2ObjectOpenHashMap<TcpConnection> connections = new Long2ObjectOpenHashMap<>();
    private final Int2ObjectOpenHashMap<Listener> listeners = new Int2ObjectOpenHashMap<>();
    private final TimeWaitTable timeWait = new TimeWaitTable();
    private final TimeWaitProcessor timeWaitProcessor;
    /** tw_recycle's per-peer timestamp store (inet_peer / tcp_metrics): latest TSval and its seconds stamp. */
    private final Int2LongOpenHashMap peerTs = new Int2LongOpenHashMap();
    private final Int2LongOpenHashMap peerTsStamp = new Int2LongOpenHashMap();
    private int portHint;
    private int ipId;
    private final int synRetries;
    private final int synackRetries;
    private final int linearTimeouts;
    private final boolean timestamps;
    private final boolean tsOffsetsDisabled;
    private final boolean twRecycle;
    private final int twReuse;
    private final long maxTwBuckets;
    private final long finTimeoutNs;
    private final int portLow;
    private final int portHigh;
    private final int somaxconn;
    private final int maxSynBacklog;
    private final long initialRtoNs;

    public TcpHost(Simulator sim, String name, int ip, KernelProfile profile, Sysctls sysctls, HostClock clock,
                   RandomStreams random) {
        super(name);
        this.sim = sim;
        this.ip = ip;
        this.owned = new int[] {ip};
        this.profile = profile;
        this.sysctls = sysctls;
        this.clock = clock;
        this.secret = random.secret("host/" + name);
        this.wallClockAtStartNs = (random.secret("wall/" + name) >>> 8) & ((1L << 52) - 1);
        this.jiffiesClock = profile.tsClock() == TimestampClock.JIFFIES;
        this.synRetries = (int) sysctls.get(Sysctls.TCP_SYN_RETRIES);
        this.synackRetries = (int) sysctls.get(Sysctls.TCP_SYNACK_RETRIES);
        this.linearTimeouts = profile.synLinearTimeouts() ? (int) sysctls.get(Sysctls.TCP_SYN_LINEAR_TIMEOUTS) : 0;
        this.timestamps = sysctls.get(Sysctls.TCP_TIMESTAMPS) != 0;
        this.tsOffsetsDisabled = sysctls.get(Sysctls.TCP_TIMESTAMPS) == 2;
        this.twRecycle = profile.hasTwRecycle() && sysctls.get(Sysctls.TCP_TW_RECYCLE) != 0;
        this.twReuse = (int) sysctls.get(Sysctls.TCP_TW_REUSE);
        this.maxTwBuckets = sysctls.get(Sysctls.TCP_MAX_TW_BUCKETS);
        this.finTimeoutNs = sysctls.get(Sysctls.TCP_FIN_TIMEOUT) * Simulator.NS_PER_SEC;
        long range = sysctls.get(Sysctls.IP_LOCAL_PORT_RANGE);
        this.portLow = Sysctl.rangeLow(range);
        this.portHigh = Sysctl.rangeHigh(range);
        this.somaxconn = (int) sysctls.get(Sysctls.SOMAXCONN);
        this.maxSynBacklog = (int) sysctls.get(Sysctls.TCP_MAX_SYN_BACKLOG);
        this.initialRtoNs = profile.initialRtoMs() * Simulator.NS_PER_MS;
        long invalidRateLimitNs = sysctls.has(Sysctls.TCP_INVALID_RATELIMIT)
                ? sysctls.get(Sysctls.TCP_INVALID_RATELIMIT) * Simulator.NS_PER_MS : 0;
        TimeWaitReaper.create(profile, sim, timeWait, counters, clock);
        // With tw_recycle the TIME_WAIT lasts 3.5 x RTO; the model's RTO here is the minimum (200 ms).
        long recycleTimeout = twRecycle ? RTO_MIN_NS * 7 / 2 : 0;
        this.timeWaitProcessor = new TimeWaitProcessor(timeWait, profile, counters,
                sysctls.get(Sysctls.TCP_RFC1337) != 0, invalidRateLimitNs, recycleTimeout);
        peerTs.defaultReturnValue(0);
        peerTsStamp.defaultReturnValue(Long.MIN_VALUE);
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

    /**
     * Accepts packets for {@code vip} without taking over its routing, as a real server of an IPVS director in
     * DR mode does with the VIP on its loopback (arp_ignore/arp_announce). Replies leave from the VIP.
     */
    public void addHiddenAddress(int vip) {
        hiddenAddresses = java.util.Arrays.copyOf(hiddenAddresses, hiddenAddresses.length + 1);
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

    // ------------------------------------------------------------------------------------------------
    // Application API

    public void listen(int port, int backlog, Listener.AcceptHandler handler) {
        listeners.put(port, new Listener(port, Math.min(backlog, somaxconn), handler));
    }

    /** connect(): picks an ephemeral port and sends the SYN; returns null when no port is free. */
    public TcpConnection connect(int remoteIp, int remotePort, TcpApp app) {
        long now = sim.now();
        int[] reusedTw = {-1};
        int port = pickEphemeralPort(remoteIp, remotePort, reusedTw);
        if (port < 0) {
            return null;
        }
        long key = tupleKey(remoteIp, remotePort, port);
        TcpConnection c = new TcpConnection(this, key, ip, port, remoteIp, remotePort);
        c.app = app;
        c.iss = secureSequence(ip, port, remoteIp, remotePort);
        c.tsOffset = timestampOffset(ip, port, remoteIp, remotePort);
        int tw = reusedTw[0];
        if (tw >= 0) {
            // tcp_twsk_unique(): take over the TIME_WAIT tuple, continuing its sequence space and ts_recent.
            int seq = timeWait.sndNxt[tw] + 65535 + 2;
            c.iss = seq == 0 ? 1 : seq;
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
        c.synTsVal = tsNow(c);
        sendSegment(c, Packet.SYN, c.iss, 0, true);
        c.rttSampleSentNs = now;
        c.rttSampleSeq = c.iss;
        setRto(c, c.rtoNs);
        return c;
    }

    void appSend(TcpConnection c, int bytes) {
        c.sendLimit += bytes;
        output(c);
    }

    void appClose(TcpConnection c) {
        c.appClosed = true;
        c.appNotified = true;
        switch (c.state) {
            case SYN_SENT, SYN_RECV -> destroy(c);
            case ESTABLISHED -> {
                c.state = TcpState.FIN_WAIT_1;
                c.finQueued = true;
                output(c);
            }
            case CLOSE_WAIT -> {
                c.state = TcpState.LAST_ACK;
                c.finQueued = true;
                output(c);
            }
            default -> {
            }
        }
    }

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
        sendControl(c, Packet.RST | Packet.ACK);
        destroy(c);
    }

    // ------------------------------------------------------------------------------------------------
    // Input: tcp_v4_rcv()

    @Override
    protected void receive(Simulator sim, Packet p) {
        if (!isLocal(p.dstIp)) {
            forward(sim, p);
            return;
        }
        counters.inc(Counter.InSegs);
        long key = tupleKey(p.srcIp, p.srcPort, p.dstPort);
        TcpConnection c = connections.get(key);
        if (c != null) {
            switch (c.state) {
                case SYN_SENT -> synSentInput(c, p);
                case SYN_RECV -> synRecvInput(c, p);
                default -> establishedInput(c, p);
            }
            return;
        }
        int tw = timeWait.find(key);
        if (tw >= 0) {
            timeWaitInput(tw, key, p);
            return;
        }
        listenInput(p, 0);
    }

    private void timeWaitInput(int tw, long key, Packet p) {
        long now = sim.now();
        TimeWaitVerdict v = timeWaitProcessor.process(tw, p, now, clock.seconds(now), clock.millis(now));
        switch (v) {
            case SYN -> {
                if (listeners.containsKey(p.dstPort)) {
                    int isn = timeWaitProcessor.acceptedIsn();
                    timeWait.remove(tw, false, now);
                    listenInput(p, isn);
                } else {
                    timeWaitAck(tw, p);
                }
            }
            case ACK -> timeWaitAck(tw, p);
            case RST -> {
                sendReset(p);
                timeWait.remove(tw, false, now);
            }
            case SUCCESS -> {
            }
        }
    }

    /** tcp_v4_timewait_ack(): the remembered ACK, with the TIME_WAIT's own TSval and ts_recent as TSecr. */
    private void timeWaitAck(int tw, Packet in) {
        Packet p = newPacket(in.dstIp, in.srcIp, in.dstPort, in.srcPort);
        p.flags = Packet.ACK;
        p.seq = timeWait.sndNxt[tw];
        p.ack = timeWait.rcvNxt[tw];
        p.window = TimeWaitTable.RCV_WND;
        if (timeWait.tsRecentStamp[tw] != 0) {
            p.hasTimestamp = true;
            p.tsVal = rawTs() + timeWait.tsOffset[tw];
            p.tsEcr = timeWait.tsRecent[tw];
        }
        transmit(p);
    }

    /** A segment for a listener (or for nobody): tcp_v4_conn_request() on SYN, RST otherwise. */
    private void listenInput(Packet p, int isnFromTimeWait) {
        Listener l = listeners.get(p.dstPort);
        if (l == null || !p.has(Packet.SYN) || p.has(Packet.ACK) || p.has(Packet.RST)) {
            if (!p.has(Packet.RST)) {
                sendReset(p);
            }
            return;
        }
        long now = sim.now();
        boolean sawTs = p.hasTimestamp && timestamps;
        if (isnFromTimeWait == 0 && twRecycle && recycleRejects(p, sawTs, now)) {
            counters.inc(Counter.PAWSPassive);
            return;
        }
        if (l.pendingRequests >= Math.min(l.backlog, maxSynBacklog)) {
            counters.inc(Counter.ListenDrops);
            return;
        }
        long key = tupleKey(p.srcIp, p.srcPort, p.dstPort);
        TcpConnection c = new TcpConnection(this, key, p.dstIp, p.dstPort, p.srcIp, p.srcPort);
        c.irs = p.seq;
        c.rcvNxt = p.seq + 1;
        c.iss = isnFromTimeWait != 0 ? isnFromTimeWait : secureSequence(p.dstIp, p.dstPort, p.srcIp, p.srcPort);
        c.sndUna = c.iss;
        c.sndNxt = c.iss + 1;
        c.sendLimit = c.sndNxt;
        c.tsOk = sawTs;
        c.tsOffset = timestampOffset(p.dstIp, p.dstPort, p.srcIp, p.srcPort);
        if (sawTs) {
            c.tsRecent = p.tsVal;
            c.tsRecentStamp = clock.seconds(now);
        }
        c.mss = p.mss > 0 ? Math.min(p.mss, OUR_MSS) : 536;
        c.state = TcpState.SYN_RECV;
        c.rtoNs = initialRtoNs;
        c.app = null;
        c.appState = l;
        l.pendingRequests++;
        connections.put(key, c);
        sendSynAck(c);
        c.rttSampleSentNs = now;
        c.rttSampleSeq = c.iss;
        setRto(c, c.rtoNs);
    }

    /**
     * tw_recycle's SYN check (tcp_v4_conn_request 2.6.32 / tcp_peer_is_proven 3.x): within 60 s of the peer's
     * remembered timestamp, a SYN whose TSval is more than one tick older is dropped silently.
     */
    private boolean recycleRejects(Packet p, boolean sawTs, long now) {
        long stamp = peerTsStamp.get(p.srcIp);
        if (stamp == Long.MIN_VALUE || clock.seconds(now) >= stamp + TimeWaitProcessor.PAWS_MSL_SECONDS) {
            return false;
        }
        if (!sawTs) {
            return profile.recycleDropsSynWithoutTs();
        }
        return (int) peerTs.get(p.srcIp) - p.tsVal > 1;
    }

    private void synSentInput(TcpConnection c, Packet p) {
        if (p.has(Packet.ACK)) {
            if (!after(p.ack, c.iss) || after(p.ack, c.sndNxt)) {
                // Unacceptable ACK (e.g. a TIME_WAIT's old ACK): reset it with seq = its ack number.
                if (!p.has(Packet.RST)) {
                    sendReset(p);
                    if (profile.resendSynAfterInvalidAck() && c.retransmits == 0) {
                        // "Reduce SYN resend delay if a suspicious ACK is received" (5.7+): TCP_TIMEOUT_MIN.
                        setRto(c, 2 * clock.jiffyNs());
                    }
                }
                return;
            }
            if (c.tsOk && p.hasTimestamp && p.tsEcr != 0 && !between(p.tsEcr, c.synTsVal, tsNow(c))) {
                counters.inc(Counter.PAWSActive);
                sendReset(p);
                return;
            }
            if (p.has(Packet.RST)) {
                counters.inc(Counter.AttemptFails);
                finish(c, CloseReason.REFUSED);
                return;
            }
            if (!p.has(Packet.SYN)) {
                return;
            }
            long now = sim.now();
            c.irs = p.seq;
            c.rcvNxt = p.seq + 1;
            c.sndUna = p.ack;
            c.tsOk = c.tsOk && p.hasTimestamp;
            if (c.tsOk) {
                c.tsRecent = p.tsVal;
                c.tsRecentStamp = clock.seconds(now);
            }
            c.mss = p.mss > 0 ? Math.min(p.mss, OUR_MSS) : 536;
            rttSample(c, p.ack);
            c.synRetransmissions = c.retransmits;
            c.retransmits = 0;
            c.rtoNs = rtoFromEstimate(c);
            clearRto(c);
            c.state = TcpState.ESTABLISHED;
            sendControl(c, Packet.ACK);
            c.app.onEstablished(c);
        }
        // A bare RST or SYN without ACK (simultaneous open) is not modelled: dropped.
    }

    private void synRecvInput(TcpConnection c, Packet p) {
        if (p.has(Packet.SYN) && !p.has(Packet.ACK) && p.seq == c.irs) {
            sendSynAck(c); // retransmitted SYN: answer again (inet_rtx_syn_ack)
            return;
        }
        long now = sim.now();
        if (c.tsOk && p.hasTimestamp && !p.has(Packet.RST)
                && TimeWaitProcessor.pawsReject(c.tsRecent, c.tsRecentStamp, p.tsVal, false, clock.seconds(now),
                profile.pawsWrapSeconds())
                && c.tsRecent - p.tsVal > 1) {
            counters.inc(Counter.PAWSEstab);
            sendControl(c, Packet.ACK);
            return;
        }
        if (p.has(Packet.RST)) {
            if (p.seq == c.rcvNxt) {
                releaseRequest(c);
                destroy(c);
            }
            return;
        }
        if (!p.has(Packet.ACK)) {
            return;
        }
        if (p.ack != c.iss + 1) {
            sendReset(p);
            return;
        }
        // The handshake completes: the child socket is created and queued for accept().
        releaseRequest(c);
        Listener l = listeners.get(c.localPort);
        c.state = TcpState.ESTABLISHED;
        c.sndUna = p.ack;
        rttSample(c, p.ack);
        c.retransmits = 0;
        c.rtoNs = rtoFromEstimate(c);
        clearRto(c);
        counters.inc(Counter.PassiveOpens);
        c.app = l.acceptHandler.accept(c);
        c.app.onEstablished(c);
        if (p.payloadLength > 0 || p.has(Packet.FIN)) {
            establishedInput(c, p);
        }
    }

    private void releaseRequest(TcpConnection c) {
        if (c.appState instanceof Listener l) {
            l.pendingRequests--;
            c.appState = null;
        }
    }

    /** tcp_rcv_state_process() for synchronized states. */
    private void establishedInput(TcpConnection c, Packet p) {
        long now = sim.now();
        long nowSec = clock.seconds(now);
        boolean rst = p.has(Packet.RST);
        // PAWS (tcp_validate_incoming): window 1 on an established socket.
        if (c.tsOk && p.hasTimestamp && !rst && c.tsRecent - p.tsVal > 1
                && nowSec < c.tsRecentStamp + profile.pawsWrapSeconds()) {
            counters.inc(Counter.PAWSEstab);
            sendControl(c, Packet.ACK);
            return;
        }
        if (rst) {
            // RFC 5961: only an RST at exactly rcv_nxt resets; another in-window one gets a challenge ACK.
            if (p.seq == c.rcvNxt) {
                if (c.state == TcpState.ESTABLISHED || c.state == TcpState.CLOSE_WAIT) {
                    counters.inc(Counter.EstabResets);
                }
                finish(c, CloseReason.RESET);
            } else if (between(p.seq, c.rcvNxt, c.rcvNxt + WINDOW)) {
                counters.inc(Counter.TCPChallengeACK);
                sendControl(c, Packet.ACK);
            }
            return;
        }
        if (p.has(Packet.SYN)) {
            counters.inc(Counter.TCPChallengeACK);
            sendControl(c, Packet.ACK);
            return;
        }
        boolean occupiesSequence = p.payloadLength > 0 || p.has(Packet.FIN);
        if (occupiesSequence && p.seq != c.rcvNxt) {
            // Old duplicate or out of order (links keep order, so only after loss): immediate duplicate ACK.
            sendControl(c, Packet.ACK);
            return;
        }
        if (c.tsOk && p.hasTimestamp && !after(p.seq, c.rcvNxt) && p.tsVal - c.tsRecent >= 0) {
            c.tsRecent = p.tsVal;
            c.tsRecentStamp = nowSec;
        }
        if (p.has(Packet.ACK) && !ackInput(c, p)) {
            return;
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
                    sendControl(c, Packet.ACK);
                    enterTimeWait(c, TimeWaitTable.SUBSTATE_TIME_WAIT, 0);
                    return;
                }
                default -> {
                }
            }
        }
        if (c.ackPending && c.state != TcpState.CLOSED) {
            if (c.quickAcks > 0 || c.segmentsSinceAck >= 2) {
                if (c.quickAcks > 0) {
                    c.quickAcks--;
                }
                sendControl(c, Packet.ACK);
            } else if (c.delackDeadline == Long.MAX_VALUE) {
                c.delackDeadline = now + DELACK_NS;
                armTimer(c);
            }
        }
    }

    private static boolean acceptsData(TcpState s) {
        return s == TcpState.ESTABLISHED || s == TcpState.FIN_WAIT_1 || s == TcpState.FIN_WAIT_2;
    }

    /** tcp_ack(): returns false when the segment must not be processed further. */
    private boolean ackInput(TcpConnection c, Packet p) {
        if (after(p.ack, c.sndNxt)) {
            sendControl(c, Packet.ACK);
            return false;
        }
        if (after(p.ack, c.sndUna)) {
            c.sndUna = p.ack;
            rttSample(c, p.ack);
            c.retransmits = 0;
            c.rtoNs = rtoFromEstimate(c);
            if (c.sndUna == c.sndNxt) {
                clearRto(c);
            } else {
                setRto(c, c.rtoNs);
            }
        }
        boolean finAcked = c.finSent && !before(c.sndUna, c.finSeq + 1);
        if (!finAcked) {
            return true;
        }
        switch (c.state) {
            case FIN_WAIT_1 -> {
                c.state = TcpState.FIN_WAIT_2;
                long tmo = Math.max(finTimeoutNs, c.rtoNs * 7 / 2);
                if (!p.has(Packet.FIN) && c.appClosed) {
                    if (tmo > TimeWaitProcessor.TIMEWAIT_LEN_NS) {
                        // Orphaned FIN_WAIT2 longer than 60 s: a full socket first, a bucket for the last 60 s.
                        c.finWait2Deadline = sim.now() + tmo - TimeWaitProcessor.TIMEWAIT_LEN_NS;
                        armTimer(c);
                    } else {
                        enterTimeWait(c, TimeWaitTable.SUBSTATE_FIN_WAIT2, tmo);
                        return false;
                    }
                }
            }
            case CLOSING -> {
                enterTimeWait(c, TimeWaitTable.SUBSTATE_TIME_WAIT, 0);
                return false;
            }
            case LAST_ACK -> {
                finish(c, CloseReason.NORMAL);
                return false;
            }
            default -> {
            }
        }
        return true;
    }

    /** tcp_time_wait(): replace the socket by a TIME_WAIT bucket, unless tcp_max_tw_buckets is reached. */
    private void enterTimeWait(TcpConnection c, byte substate, long timeoNs) {
        long now = sim.now();
        connections.remove(c.key);
        c.state = TcpState.TIME_WAIT;
        stopTimers(c);
        notifyClosed(c, CloseReason.NORMAL);
        if (timeWait.count() >= maxTwBuckets) {
            counters.inc(Counter.TCPTimeWaitOverflow);
            return;
        }
        long rto35 = c.rtoNs * 7 / 2;
        long timeo = Math.max(timeoNs, rto35);
        boolean recycleOk = twRecycle && c.tsOk && rememberPeerStamp(c, now);
        if (substate == TimeWaitTable.SUBSTATE_TIME_WAIT && !recycleOk) {
            timeo = TimeWaitProcessor.TIMEWAIT_LEN_NS;
        }
        int s = timeWait.allocate(c.key, now);
        timeWait.rcvNxt[s] = c.rcvNxt;
        timeWait.sndNxt[s] = c.sndNxt;
        timeWait.tsRecent[s] = c.tsRecent;
        timeWait.tsRecentStamp[s] = c.tsOk ? (int) Math.max(c.tsRecentStamp, 1) : 0;
        timeWait.entryStampMs[s] = (int) clock.millis(now);
        timeWait.tsOffset[s] = c.tsOffset;
        timeWait.setSubstate(s, substate);
        timeWait.reaper().schedule(s, timeo, false);
    }

    /** tcp_remember_stamp(): keep the newest ts_recent per peer address for tw_recycle. */
    private boolean rememberPeerStamp(TcpConnection c, long now) {
        long stamp = peerTsStamp.get(c.remoteIp);
        long nowSec = clock.seconds(now);
        if (stamp == Long.MIN_VALUE || (int) peerTs.get(c.remoteIp) - c.tsRecent <= 0
                || (nowSec - stamp > TimeWaitProcessor.PAWS_MSL_SECONDS && stamp <= c.tsRecentStamp)) {
            peerTs.put(c.remoteIp, c.tsRecent & 0xffffffffL);
            peerTsStamp.put(c.remoteIp, c.tsRecentStamp);
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // Output

    private void output(TcpConnection c) {
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECV || c.state == TcpState.CLOSED) {
            return;
        }
        boolean sent = false;
        while (before(c.sndNxt, c.sendLimit)) {
            int len = Math.min(c.mss, c.sendLimit - c.sndNxt);
            boolean last = c.sndNxt + len == c.sendLimit;
            sendSegment(c, Packet.ACK | (last ? Packet.PSH : 0), c.sndNxt, len, false);
            if (c.rttSampleSentNs < 0) {
                c.rttSampleSentNs = sim.now();
                c.rttSampleSeq = c.sndNxt;
            }
            c.sndNxt += len;
            sent = true;
        }
        if (c.finQueued && !c.finSent && c.sndNxt == c.sendLimit) {
            c.finSeq = c.sndNxt;
            c.finSent = true;
            sendSegment(c, Packet.FIN | Packet.ACK, c.sndNxt, 0, false);
            c.sndNxt += 1;
            sent = true;
        }
        if (sent && c.rtoDeadline == Long.MAX_VALUE) {
            setRto(c, c.rtoNs);
        }
    }

    private void sendSynAck(TcpConnection c) {
        sendSegment(c, Packet.SYN | Packet.ACK, c.iss, 0, true);
    }

    /** A segment of connection {@code c}; every segment after the SYN carries the current ACK. */
    private void sendSegment(TcpConnection c, int flags, int seq, int len, boolean synOptions) {
        Packet p = newPacket(c.localIp, c.remoteIp, c.localPort, c.remotePort);
        p.flags = flags;
        p.seq = seq;
        p.ack = (flags & Packet.ACK) != 0 ? c.rcvNxt : 0;
        p.window = WINDOW;
        p.payloadLength = len;
        if (synOptions) {
            p.mss = OUR_MSS;
            p.windowScale = 7;
            p.sackPermitted = true;
            boolean offerTs = (flags & Packet.ACK) == 0 ? timestamps : c.tsOk;
            if (offerTs) {
                p.hasTimestamp = true;
                p.tsVal = tsNow(c);
                p.tsEcr = (flags & Packet.ACK) != 0 ? c.tsRecent : 0;
            }
            if ((flags & Packet.ACK) == 0) {
                c.tsOk = offerTs;
            }
        } else if (c.tsOk) {
            p.hasTimestamp = true;
            p.tsVal = tsNow(c);
            p.tsEcr = c.tsRecent;
        }
        if ((flags & Packet.ACK) != 0) {
            ackSent(c);
        }
        transmit(p);
    }

    /** A segment without data at snd_nxt: a pure ACK, or the active reset of an aborted connection. */
    private void sendControl(TcpConnection c, int flags) {
        sendSegment(c, flags, c.sndNxt, 0, false);
    }

    /** tcp_v4_send_reset(): never answers an RST; seq = the offending ACK, or RST|ACK covering the segment. */
    private void sendReset(Packet in) {
        if (in.has(Packet.RST)) {
            return;
        }
        Packet p = newPacket(in.dstIp, in.srcIp, in.dstPort, in.srcPort);
        if (in.has(Packet.ACK)) {
            p.flags = Packet.RST;
            p.seq = in.ack;
        } else {
            p.flags = Packet.RST | Packet.ACK;
            p.seq = 0;
            p.ack = in.endSeq();
        }
        p.window = 0;
        counters.inc(Counter.OutRsts);
        transmit(p);
    }

    private Packet newPacket(int srcIp, int dstIp, int srcPort, int dstPort) {
        Packet p = new Packet();
        p.srcIp = srcIp;
        p.dstIp = dstIp;
        p.srcPort = srcPort;
        p.dstPort = dstPort;
        p.ipId = ipId++ & 0xffff;
        return p;
    }

    private void transmit(Packet p) {
        if (p.has(Packet.RST)) {
            p.window = 0;
        }
        counters.inc(Counter.OutSegs);
        forward(sim, p);
    }

    // ------------------------------------------------------------------------------------------------
    // Timers

    /** An ACK went out: nothing is pending for the delayed-ACK timer. */
    private void ackSent(TcpConnection c) {
        c.ackPending = false;
        c.segmentsSinceAck = 0;
        if (c.delackDeadline != Long.MAX_VALUE) {
            c.delackDeadline = Long.MAX_VALUE;
            armTimer(c);
        }
    }

    private void clearRto(TcpConnection c) {
        c.rtoDeadline = Long.MAX_VALUE;
        armTimer(c);
    }

    private void setRto(TcpConnection c, long delay) {
        c.rtoDeadline = sim.now() + delay;
        armTimer(c);
    }

    /**
     * Keeps one engine event at the earliest of the connection's deadlines. A deadline that moves later leaves
     * the event in place (it re-arms when it fires); an earlier one or none at all replaces it, so stopped
     * timers leave the queue instead of firing for nothing.
     */
    private void armTimer(TcpConnection c) {
        long next = Math.min(c.rtoDeadline, Math.min(c.delackDeadline, c.finWait2Deadline));
        if (next < c.timerEventAt) {
            sim.cancel(c.timerEvent);
            c.timerEventAt = next;
            c.timerEvent = sim.at(next, this, EV_CONN_TIMER, 0, c);
        } else if (next == Long.MAX_VALUE && c.timerEvent != Simulator.NO_EVENT) {
            stopTimers(c);
        }
    }

    private void stopTimers(TcpConnection c) {
        c.rtoDeadline = Long.MAX_VALUE;
        c.delackDeadline = Long.MAX_VALUE;
        c.finWait2Deadline = Long.MAX_VALUE;
        c.timerEventAt = Long.MAX_VALUE;
        sim.cancel(c.timerEvent);
        c.timerEvent = Simulator.NO_EVENT;
    }

    @Override
    protected void onTimer(Simulator sim, int kind, long arg, Object payload) {
        TcpConnection c = (TcpConnection) payload;
        c.timerEvent = Simulator.NO_EVENT;
        c.timerEventAt = Long.MAX_VALUE;
        long now = sim.now();
        if (c.delackDeadline <= now) {
            c.delackDeadline = Long.MAX_VALUE;
            if (c.ackPending) {
                counters.inc(Counter.DelayedACKs);
                sendControl(c, Packet.ACK);
            }
        }
        if (c.finWait2Deadline <= now) {
            c.finWait2Deadline = Long.MAX_VALUE;
            if (c.state == TcpState.FIN_WAIT_2) {
                enterTimeWait(c, TimeWaitTable.SUBSTATE_FIN_WAIT2, TimeWaitProcessor.TIMEWAIT_LEN_NS);
                return;
            }
        }
        if (c.rtoDeadline <= now) {
            c.rtoDeadline = Long.MAX_VALUE;
            retransmitTimer(c);
        }
        if (c.state != TcpState.CLOSED && c.state != TcpState.TIME_WAIT) {
            armTimer(c);
        }
    }

    /** tcp_retransmit_timer() / the request-socket SYN-ACK timer. */
    private void retransmitTimer(TcpConnection c) {
        switch (c.state) {
            case SYN_SENT -> {
                int maxRetransmits = synRetries + linearTimeouts;
                if (c.retransmits >= maxRetransmits) {
                    counters.inc(Counter.AttemptFails);
                    counters.inc(Counter.TCPAbortOnTimeout);
                    finish(c, CloseReason.TIMED_OUT);
                    return;
                }
                c.retransmits++;
                // tcp_retransmit_timer() counts every timer-driven retransmission, a SYN's too (LINUX_MIB_TCPTIMEOUTS).
                counters.inc(Counter.TCPTimeouts);
                counters.inc(Counter.RetransSegs);
                counters.inc(Counter.TCPSynRetrans);
                c.rttSampleSentNs = -1; // Karn: no RTT sample from a retransmitted SYN
                sendSegment(c, Packet.SYN, c.iss, 0, true);
                // 6.5+: the first tcp_syn_linear_timeouts retransmissions keep the initial RTO.
                if (c.retransmits > linearTimeouts) {
                    c.rtoNs = Math.min(c.rtoNs * 2, RTO_MAX_NS);
                }
                setRto(c, c.rtoNs);
            }
            case SYN_RECV -> {
                if (c.retransmits >= synackRetries) {
                    releaseRequest(c);
                    destroy(c);
                    return;
                }
                c.retransmits++;
                counters.inc(Counter.RetransSegs);
                c.rttSampleSentNs = -1;
                sendSynAck(c);
                c.rtoNs = Math.min(c.rtoNs * 2, RTO_MAX_NS);
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
                    finish(c, CloseReason.TIMED_OUT);
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
                output(c);
                counters.add(Counter.RetransSegs, counters.get(Counter.OutSegs) - segmentsBefore);
                c.rtoNs = Math.min(c.rtoNs * 2, RTO_MAX_NS);
                setRto(c, c.rtoNs);
            }
        }
    }

    private void rttSample(TcpConnection c, int ack) {
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
    private long rtoFromEstimate(TcpConnection c) {
        if (c.srttNs == 0) {
            return c.rtoNs;
        }
        return Math.min(RTO_MAX_NS, Math.max(RTO_MIN_NS, c.srttNs + Math.max(4 * c.rttvarNs, RTO_MIN_NS)));
    }

    // ------------------------------------------------------------------------------------------------
    // Teardown

    private void finish(TcpConnection c, CloseReason reason) {
        destroy(c);
        notifyClosed(c, reason);
    }

    private void destroy(TcpConnection c) {
        if (c.state == TcpState.SYN_RECV) {
            releaseRequest(c);
        }
        connections.remove(c.key);
        c.state = TcpState.CLOSED;
        stopTimers(c);
    }

    private void notifyClosed(TcpConnection c, CloseReason reason) {
        if (!c.appNotified && c.app != null) {
            c.appNotified = true;
            c.app.onClosed(c, reason);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Ports, sequence numbers, timestamps

    /**
     * __inet_hash_connect(): start at a keyed hash of the destination plus a global hint, scan the range
     * (4.6+: even ports first), take the first port whose 4-tuple is free or whose TIME_WAIT tcp_tw_reuse
     * allows to take over.
     */
    private int pickEphemeralPort(int remoteIp, int remotePort, int[] reusedTw) {
        int remaining = portHigh - portLow + 1;
        int portOffset = (int) (RandomStreams.mix(secret ^ ((remoteIp & 0xffffffffL) << 16) ^ remotePort) >>> 33);
        if (profile.portSelection() == PortSelection.HASHED_OFFSET_SEQUENTIAL) {
            int offset = portHint + portOffset;
            for (int i = 1; i <= remaining; i++) {
                int port = portLow + Math.floorMod(i + offset, remaining);
                if (portUsable(remoteIp, remotePort, port, reusedTw)) {
                    portHint += i;
                    return port;
                }
            }
            return -1;
        }
        int offset = Math.floorMod(portHint + portOffset, remaining) & ~1;
        for (int parity = 0; parity < 2; parity++) {
            int port = portLow + offset;
            for (int i = 0; i < remaining; i += 2, port += 2) {
                if (port > portHigh) {
                    port -= remaining;
                }
                if (portUsable(remoteIp, remotePort, port, reusedTw)) {
                    portHint += i + 2;
                    return port;
                }
            }
            offset++;
        }
        return -1;
    }

    private boolean portUsable(int remoteIp, int remotePort, int port, int[] reusedTw) {
        long key = tupleKey(remoteIp, remotePort, port);
        if (connections.containsKey(key)) {
            return false;
        }
        int tw = timeWait.find(key);
        if (tw < 0) {
            return true;
        }
        if (twReuseAllows(tw, remoteIp)) {
            reusedTw[0] = tw;
            return true;
        }
        return false;
    }

    /** tcp_twsk_unique(): tw_reuse needs a timestamped old connection and the version's time rule. */
    private boolean twReuseAllows(int tw, int remoteIp) {
        boolean enabled = twReuse == 1 || (twReuse == 2 && (remoteIp >>> 24) == 127);
        if (!enabled || timeWait.tsRecentStamp[tw] == 0
                || timeWait.substate(tw) == TimeWaitTable.SUBSTATE_FIN_WAIT2) {
            return false;
        }
        long now = sim.now();
        TwReuseRule rule = profile.twReuse();
        return switch (rule) {
            case SECONDS_DIFF_GREATER_THAN_ONE -> clock.seconds(now) - timeWait.tsRecentStamp[tw] > 1;
            case SECONDS_ADVANCED -> clock.seconds(now) > timeWait.tsRecentStamp[tw];
            case ENTRY_STAMP_PLUS_DELAY_MS -> (int) clock.millis(now) - timeWait.entryStampMs[tw]
                    > sysctls.get(Sysctls.TCP_TW_REUSE_DELAY);
        };
    }

    /** secure_tcp_seq(): keyed hash of the 4-tuple plus the real-time clock in 64 ns units. */
    private int secureSequence(int localIp, int localPort, int remoteIp, int remotePort) {
        long h = RandomStreams.mix(secret ^ ((localIp & 0xffffffffL) << 32 | (remoteIp & 0xffffffffL))
                ^ ((long) localPort << 48) ^ ((long) remotePort << 32) ^ 0x1234567L);
        long wallNs = wallClockAtStartNs + sim.now();
        return (int) h + (int) (wallNs >>> 6);
    }

    /** TSval offset of a new connection under the kernel's policy; tcp_timestamps=2 means no offset. */
    private int timestampOffset(int localIp, int localPort, int remoteIp, int remotePort) {
        TsOffsetPolicy policy = profile.tsOffset();
        if (tsOffsetsDisabled || policy == TsOffsetPolicy.NONE) {
            return 0;
        }
        long pair = ((localIp & 0xffffffffL) << 32) | (remoteIp & 0xffffffffL);
        return switch (policy) {
            case NONE -> 0;
            case PER_CONNECTION -> (int) RandomStreams.mix(secret ^ pair ^ ((long) localPort << 17) ^ sim.now());
            case PER_ADDRESS_PAIR -> (int) RandomStreams.mix(secret ^ pair ^ 0x7541L);
            case PER_FOUR_TUPLE -> (int) RandomStreams.mix(secret ^ pair
                    ^ (((long) localPort << 16 | remotePort) * 0x9E3779B97F4A7C15L));
        };
    }

    private int rawTs() {
        return clock.rawTimestamp(sim.now(), jiffiesClock);
    }

    private int tsNow(TcpConnection c) {
        return rawTs() + c.tsOffset;
    }
}
