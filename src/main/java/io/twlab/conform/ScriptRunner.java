package io.twlab.conform;

import io.twlab.engine.EventHandler;
import io.twlab.engine.RandomStreams;
import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Sysctl;
import io.twlab.net.Ipv4;
import io.twlab.net.Link;
import io.twlab.net.NetNode;
import io.twlab.net.Packet;
import io.twlab.tcp.CloseReason;
import io.twlab.tcp.HostClock;
import io.twlab.tcp.TcpApp;
import io.twlab.tcp.TcpConnection;
import io.twlab.tcp.TcpHost;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a {@link Script} against one simulated host on a kernel profile, as packetdrill runs one against the real
 * stack: the script's remote end is a peer on a zero-latency link that injects the {@code <} segments at their
 * times; system calls act on the host at theirs; every segment the host sends is recorded and matched, in order,
 * against the {@code >} lines. The run is deterministic (fixed seed).
 *
 * <p>Conventions, as packetdrill's: the host is 192.168.0.1, the remote end 192.0.2.1; a listener binds port 8080
 * and the remote end connects from port 40000; connect() goes to 192.0.2.1:8080 from the port the host picks. The
 * remote end's sequence numbers are absolute, the host's relative to its ISN on the connection (learnt from its
 * SYN or SYN-ACK). An inbound {@code TS ecr} other than 0 echoes the TSval the host last sent on the tuple (the
 * script cannot know the host's clock); an outbound {@code TS val} is not checked, its {@code ecr} is.
 */
public final class ScriptRunner {
    static final int HOST_IP = (int) Ipv4.parse("192.168.0.1");
    static final int REMOTE_IP = (int) Ipv4.parse("192.0.2.1");
    static final int LISTEN_PORT = 8080;
    static final int REMOTE_PORT = 40000;
    /** packetdrill's default tolerance for an outbound segment's time. */
    public static final long DEFAULT_TOLERANCE_NS = 4 * Simulator.NS_PER_MS;
    /** The host has been up this long when the script starts (TSval and jiffies clocks run from here). */
    private static final long UPTIME_NS = 3600 * Simulator.NS_PER_SEC;

    /** One expectation the host did not meet, with the script line it comes from. */
    public record Failure(int line, String message) {
        public String text(String file) {
            return file + ":" + line + ": " + message;
        }
    }

    public record Result(Script script, String kernel, List<Failure> failures) {
        public boolean passed() {
            return failures.isEmpty();
        }
    }

    private final Script script;
    private final KernelProfile profile;
    private final long toleranceNs;
    private final Simulator sim = new Simulator();
    private final List<Failure> failures = new ArrayList<>();
    private final List<Sent> sent = new ArrayList<>();
    private final Map<Long, Integer> hostIsn = new HashMap<>();
    private final Map<Long, Integer> hostTsVal = new HashMap<>();
    private final Map<Integer, Socket> sockets = new TreeMap<>();
    private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    private TcpHost host;
    private Peer peer;
    /** The connection the remote end's segments belong to: the host's last connect(), else port 40000 to 8080. */
    private int hostPort = LISTEN_PORT;
    private int remotePort = REMOTE_PORT;

    /** A segment the host sent, with its ISN on that tuple at the time (null: none seen yet). */
    private record Sent(long timeNs, Packet packet, Integer isn) {
        long relativeSeq() {
            // A reset answering a segment without ACK carries seq 0 (tcp_v4_send_reset): shown as written.
            if (isn == null || (packet.has(Packet.RST) && packet.has(Packet.ACK) && packet.seq == 0)) {
                return packet.seq & 0xffffffffL;
            }
            return (packet.seq - isn) & 0xffffffffL;
        }
    }

    /** A file descriptor: a socket before connect/accept, or a connection. */
    private static final class Socket {
        TcpConnection connection;
    }

    private ScriptRunner(Script script, KernelProfile profile, long toleranceNs) {
        this.script = script;
        this.profile = profile;
        this.toleranceNs = toleranceNs;
    }

    public static Result run(Script script, KernelProfile profile, long toleranceNs) {
        ScriptRunner r = new ScriptRunner(script, profile, toleranceNs);
        r.execute();
        return new Result(script, profile.name(), List.copyOf(r.failures));
    }

    private void execute() {
        Map<String, Long> values = new TreeMap<>();
        for (Script.Sysctl s : script.sysctls()) {
            Sysctl def = profile.sysctls().get(s.name());
            if (def == null) {
                failures.add(new Failure(s.line(), "sysctl " + s.name() + " does not exist on " + profile.name()));
                return;
            }
            try {
                if (def.portRange()) {
                    String[] lh = s.value().strip().split("\\s+");
                    values.put(s.name(), Sysctl.packRange(Integer.parseInt(lh[0]), Integer.parseInt(lh[lh.length - 1])));
                } else {
                    values.put(s.name(), Long.parseLong(s.value()));
                }
            } catch (NumberFormatException e) {
                failures.add(new Failure(s.line(), "sysctl " + s.name() + ": '" + s.value() + "' is not a number"));
                return;
            }
        }
        host = new TcpHost(sim, "host", HOST_IP, profile, new io.twlab.kernel.Sysctls(profile, values),
                new HostClock(UPTIME_NS, profile.defaultHz()), new RandomStreams(1));
        peer = new Peer();
        Link link = new Link(host, peer, 0, 0, 0, new java.util.SplittableRandom(1));
        host.addRoute(REMOTE_IP, link);
        peer.addRoute(HOST_IP, link);
        long end = 0;
        for (Script.Event e : script.events()) {
            end = Math.max(end, e.latestNs());
            if (!(e instanceof Script.Outbound)) {
                sim.at(e.timeNs(), new EventHandler() {
                    @Override
                    public void onEvent(Simulator s, int kind, long arg, Object payload) {
                        if (e instanceof Script.Inbound in) {
                            inject(in);
                        } else {
                            syscall((Script.Syscall) e);
                        }
                    }
                }, 0, 0, null);
            }
        }
        sim.runUntil(end + toleranceNs, null);
        matchOutbound(end + toleranceNs);
    }

    // ---- the remote end ----

    private final class Peer extends NetNode {
        Peer() {
            super("remote");
        }

        @Override
        public int[] ownedAddresses() {
            return new int[] {REMOTE_IP};
        }

        @Override
        protected void receive(Simulator s, Packet p) {
            long key = tuple(p.srcPort, p.dstPort);
            if (p.has(Packet.SYN)) {
                hostIsn.put(key, p.seq);
            }
            if (p.hasTimestamp) {
                hostTsVal.put(key, p.tsVal);
            }
            sent.add(new Sent(s.now(), p, hostIsn.get(key)));
        }

        /** Delivers at once, so that a call on the same time as the segment sees its effect (script order). */
        void send(Packet p) {
            host.onEvent(sim, NetNode.EV_PACKET, 0, p);
        }
    }

    private static long tuple(int hostSidePort, int remoteSidePort) {
        return (long) hostSidePort << 16 | remoteSidePort;
    }

    private void inject(Script.Inbound in) {
        Script.Segment s = in.segment();
        Packet p = new Packet();
        p.srcIp = REMOTE_IP;
        p.dstIp = HOST_IP;
        p.srcPort = remotePort;
        p.dstPort = hostPort;
        p.flags = s.flags();
        p.seq = (int) s.seq();
        p.payloadLength = s.length();
        long key = tuple(hostPort, remotePort);
        if (s.ack() != null) {
            Integer isn = hostIsn.get(key);
            p.ack = (int) (s.ack() + (isn == null ? 0 : isn));
        }
        p.window = s.window() == null ? 65535 : s.window();
        Script.Options o = s.options();
        if (o != null) {
            p.mss = o.mss() == null ? 0 : o.mss();
            p.windowScale = o.windowScale() == null ? -1 : o.windowScale();
            p.sackPermitted = o.sackOk();
            if (o.hasTimestamp()) {
                p.hasTimestamp = true;
                p.tsVal = (int) (long) o.tsVal();
                Integer echoed = hostTsVal.get(key);
                p.tsEcr = o.tsEcr() == 0 || echoed == null ? (int) (long) o.tsEcr() : echoed;
            }
        }
        peer.send(p);
    }

    // ---- system calls ----

    private void syscall(Script.Syscall c) {
        long ret;
        String errno = null;
        switch (c.name()) {
            case "socket" -> {
                sockets.put((int) c.ret(), new Socket());
                ret = c.ret();
            }
            case "bind", "setsockopt", "getsockopt", "fcntl" -> ret = 0;
            case "listen" -> {
                int backlog = c.args().size() > 1 ? parseInt(c.args().get(1), 128) : 128;
                host.listen(LISTEN_PORT, backlog, conn -> {
                    acceptQueue.add(conn);
                    return new Recorder(conn);
                });
                hostPort = LISTEN_PORT;
                remotePort = REMOTE_PORT;
                ret = 0;
            }
            case "accept" -> {
                TcpConnection conn = acceptQueue.poll();
                if (conn == null) {
                    ret = -1;
                    errno = "EAGAIN";
                } else {
                    Socket s = new Socket();
                    s.connection = conn;
                    sockets.put((int) c.ret(), s);
                    ret = c.ret();
                }
            }
            case "connect" -> {
                Socket s = socket(c);
                Recorder app = new Recorder(null);
                TcpConnection conn = host.connect(REMOTE_IP, LISTEN_PORT, app);
                if (conn == null) {
                    ret = -1;
                    errno = "EADDRNOTAVAIL";
                } else {
                    app.connection = conn;
                    s.connection = conn;
                    hostPort = conn.localPort();
                    remotePort = LISTEN_PORT;
                    ret = -1;
                    errno = "EINPROGRESS";
                    if (c.ret() == 0) {
                        ret = 0; // a blocking connect() is written = 0; the handshake is checked by the segments
                        errno = null;
                    }
                }
            }
            case "write" -> {
                Socket s = socket(c);
                int n = parseInt(c.args().get(c.args().size() - 1), -1);
                if (s.connection == null || n < 0) {
                    ret = -1;
                    errno = "EPIPE";
                } else {
                    s.connection.send(n);
                    ret = n;
                }
            }
            case "read" -> {
                Socket s = socket(c);
                Recorder r = recorder(s);
                long available = r == null ? 0 : r.unread;
                if (r != null && available == 0 && !r.finSeen) {
                    ret = -1;
                    errno = "EAGAIN";
                } else {
                    int want = parseInt(c.args().get(c.args().size() - 1), Integer.MAX_VALUE);
                    ret = Math.min(available, want);
                    if (r != null) {
                        r.unread -= ret;
                    }
                }
            }
            case "close" -> {
                Socket s = sockets.remove(parseInt(c.args().get(0), -1));
                if (s == null) {
                    ret = -1;
                    errno = "EBADF";
                } else {
                    if (s.connection != null) {
                        s.connection.close();
                    }
                    ret = 0;
                }
            }
            default -> throw new IllegalStateException(c.name());
        }
        if (ret != c.ret() || (c.errno() != null && !c.errno().equals(errno))) {
            failures.add(new Failure(c.line(), String.format(Locale.ROOT, "%s returned %d%s at %.3f s; the script "
                            + "expects %d%s", c.name(), ret, errno == null ? "" : " " + errno, sim.now() / 1e9, c.ret(),
                    c.errno() == null ? "" : " " + c.errno())));
        }
    }

    private Socket socket(Script.Syscall c) {
        int fd = c.args().isEmpty() ? -1 : parseInt(c.args().get(0), -1);
        return sockets.computeIfAbsent(fd, k -> new Socket());
    }

    private Recorder recorder(Socket s) {
        return s.connection == null ? null : recorders.get(s.connection);
    }

    private final Map<TcpConnection, Recorder> recorders = new java.util.IdentityHashMap<>();

    private static int parseInt(String s, int otherwise) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** The application side of a connection: counts what read() may return. */
    private final class Recorder implements TcpApp {
        TcpConnection connection;
        long unread;
        boolean finSeen;

        Recorder(TcpConnection connection) {
            this.connection = connection;
            if (connection != null) {
                recorders.put(connection, this);
            }
        }

        @Override
        public void onEstablished(TcpConnection c) {
            connection = c;
            recorders.put(c, this);
        }

        @Override
        public void onData(TcpConnection c, int bytes) {
            unread += bytes;
        }

        @Override
        public void onPeerFin(TcpConnection c) {
            finSeen = true;
        }

        @Override
        public void onClosed(TcpConnection c, CloseReason reason) {
        }
    }

    // ---- matching what the host sent ----

    private void matchOutbound(long end) {
        int next = 0;
        long lastTime = 0;
        for (Script.Event e : script.events()) {
            if (!(e instanceof Script.Outbound out)) {
                // Anything the host sent before this inbound segment or call must have been expected already.
                while (next < sent.size() && sent.get(next).timeNs() < e.timeNs()) {
                    failures.add(new Failure(e.line(), "the host sent " + describe(sent.get(next))
                            + " that no > line before this one expects"));
                    next++;
                }
                continue;
            }
            if (next >= sent.size()) {
                failures.add(new Failure(out.line(), String.format(Locale.ROOT, "expected %s at %.3f s; the host "
                        + "sent nothing more", out.text().strip(), out.timeNs() / 1e9)));
                return;
            }
            Sent got = sent.get(next++);
            String mismatch = mismatch(out.segment(), got);
            long early = out.timeNs() - toleranceNs;
            long late = out.latestNs() + toleranceNs;
            if (mismatch == null && (got.timeNs() < early || got.timeNs() > late)) {
                mismatch = String.format(Locale.ROOT, "sent at %.6f s, expected at %.6f s%s (tolerance %.0f ms)",
                        got.timeNs() / 1e9, out.timeNs() / 1e9,
                        out.latestNs() != out.timeNs() ? String.format(Locale.ROOT, "~%.6f s", out.latestNs() / 1e9) : "",
                        toleranceNs / 1e6);
            }
            if (mismatch != null) {
                failures.add(new Failure(out.line(), "expected " + strip(out.text()) + "; got " + describe(got)
                        + ": " + mismatch));
                return;
            }
            lastTime = got.timeNs();
        }
        while (next < sent.size() && sent.get(next).timeNs() <= Math.max(lastTime, end - toleranceNs)) {
            Script.Event last = script.events().get(script.events().size() - 1);
            failures.add(new Failure(last.line(), "after the last line the host sent " + describe(sent.get(next))
                    + " that no > line expects"));
            next++;
        }
    }

    private static String strip(String text) {
        return text.strip();
    }

    /** Why the host's segment is not the expected one, or null when it is. */
    private static String mismatch(Script.Segment want, Sent sent) {
        Packet p = sent.packet();
        if (p.flags != want.flags()) {
            return "flags " + flags(p.flags) + ", expected " + flags(want.flags());
        }
        long seq = sent.relativeSeq();
        if (seq != want.seq()) {
            return "relative seq " + seq + ", expected " + want.seq();
        }
        if (p.payloadLength != want.length()) {
            return "length " + p.payloadLength + ", expected " + want.length();
        }
        if (want.ack() != null && (p.ack & 0xffffffffL) != want.ack()) {
            return "ack " + (p.ack & 0xffffffffL) + ", expected " + want.ack();
        }
        if (want.window() != null && p.window != want.window()) {
            return "win " + p.window + ", expected " + want.window();
        }
        Script.Options o = want.options();
        if (o != null) {
            if (o.mss() != null && p.mss != o.mss()) {
                return "mss " + p.mss + ", expected " + o.mss();
            }
            if (o.windowScale() != null && p.windowScale != o.windowScale()) {
                return "wscale " + p.windowScale + ", expected " + o.windowScale();
            }
            if (o.sackOk() && !p.sackPermitted) {
                return "no sackOK";
            }
            if (o.hasTimestamp() != p.hasTimestamp) {
                return p.hasTimestamp ? "a timestamp option the script does not expect" : "no timestamp option";
            }
            if (o.hasTimestamp() && (p.tsEcr & 0xffffffffL) != o.tsEcr()) {
                return "TS ecr " + (p.tsEcr & 0xffffffffL) + ", expected " + o.tsEcr();
            }
        }
        return null;
    }

    private static String describe(Sent s) {
        Packet p = s.packet();
        long seq = s.relativeSeq();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s %d:%d(%d)", flags(p.flags), seq,
                seq + p.payloadLength, p.payloadLength));
        if (p.has(Packet.ACK)) {
            sb.append(" ack ").append(p.ack & 0xffffffffL);
        }
        if (p.hasTimestamp) {
            sb.append(" <TS ecr ").append(p.tsEcr & 0xffffffffL).append('>');
        }
        return sb.append(String.format(Locale.ROOT, " at %.6f s", s.timeNs() / 1e9)).toString();
    }

    private static String flags(int f) {
        StringBuilder sb = new StringBuilder();
        if ((f & Packet.SYN) != 0) {
            sb.append('S');
        }
        if ((f & Packet.FIN) != 0) {
            sb.append('F');
        }
        if ((f & Packet.RST) != 0) {
            sb.append('R');
        }
        if ((f & Packet.PSH) != 0) {
            sb.append('P');
        }
        if ((f & Packet.ACK) != 0) {
            sb.append('.');
        }
        return sb.toString();
    }
}
