package io.twlab.tcp;

import io.twlab.engine.RandomStreams;
import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Profiles;
import io.twlab.kernel.Sysctls;
import io.twlab.net.Ipv4;
import io.twlab.net.Link;
import io.twlab.net.NetNode;
import io.twlab.net.Packet;
import io.twlab.bench.MicroBenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * The TCP input path of a server host, segment by segment: a scripted client opens a connection (SYN), sends a
 * request with the handshake's last ACK, closes (FIN) and acknowledges the server's FIN, the server's application
 * closing as soon as it sees the client's FIN. Four segments in, each through the host's demultiplexing, its state
 * machine and the replies it transmits; one millisecond of simulated time between connections lets the timers run.
 * A new client port each time (the server keeps no TIME_WAIT: it closes second).
 */
public class TcpInputBench extends MicroBenchmark {
    private static final int SERVER_IP = (int) Ipv4.parse("192.168.0.1");
    private static final int CLIENT_IP = (int) Ipv4.parse("192.0.2.1");
    private static final int SERVER_PORT = 443;
    private static final int REQUEST_BYTES = 100;

    @Param({"linux-2.6.32", "linux-6.18"})
    String kernel;

    private Simulator sim;
    private TcpHost server;
    private int clientPort = 1024;
    private int clientIsn = 1;
    private int clientTs = 1;
    /** The server's ISN and TSval, from its SYN-ACK. */
    private int serverIsn;
    private int serverTs;

    @Setup
    public void setUp() {
        KernelProfile profile = Profiles.get(kernel);
        sim = new Simulator();
        server = new TcpHost(sim, "server", SERVER_IP, profile, new Sysctls(profile, Map.of()),
                new HostClock(3600 * Simulator.NS_PER_SEC, profile.defaultHz()), new RandomStreams(1));
        Client client = new Client();
        Link wire = new Link(server, client, 0, 0, 0, new SplittableRandom(1));
        server.addRoute(CLIENT_IP, wire);
        client.addRoute(SERVER_IP, wire);
        server.listen(SERVER_PORT, 1024, c -> new TcpApp() {
            @Override
            public void onEstablished(TcpConnection conn) {
            }

            @Override
            public void onData(TcpConnection conn, int bytes) {
            }

            @Override
            public void onPeerFin(TcpConnection conn) {
                conn.close();
            }

            @Override
            public void onClosed(TcpConnection conn, CloseReason reason) {
            }
        });
        // The script must drive whole connections, not a run of resets: one, checked on the server's counters.
        connection();
        Counters n = server.counters();
        if (n.get(Counter.PassiveOpens) != 1 || n.get(Counter.OutRsts) != 0 || server.connectionCount() != 0) {
            throw new IllegalStateException("the scripted connection did not complete on " + kernel);
        }
    }

    @Benchmark
    @OperationsPerInvocation(4)
    public int connection() {
        clientPort = clientPort == 65535 ? 1024 : clientPort + 1;
        clientIsn += 1_000_000;
        clientTs++;
        Packet syn = segment(Packet.SYN, clientIsn, 0);
        syn.mss = 1460;
        deliver(syn);
        Packet request = segment(Packet.ACK | Packet.PSH, clientIsn + 1, serverIsn + 1);
        request.payloadLength = REQUEST_BYTES;
        deliver(request);
        deliver(segment(Packet.FIN | Packet.ACK, clientIsn + 1 + REQUEST_BYTES, serverIsn + 1));
        deliver(segment(Packet.ACK, clientIsn + 2 + REQUEST_BYTES, serverIsn + 2));
        sim.runUntil(sim.now() + Simulator.NS_PER_MS, null);
        return serverTs;
    }

    private Packet segment(int flags, int seq, int ack) {
        Packet p = new Packet();
        p.srcIp = CLIENT_IP;
        p.dstIp = SERVER_IP;
        p.srcPort = clientPort;
        p.dstPort = SERVER_PORT;
        p.flags = flags;
        p.seq = seq;
        p.ack = ack;
        p.window = 65535;
        p.hasTimestamp = true;
        p.tsVal = clientTs;
        p.tsEcr = serverTs;
        return p;
    }

    private void deliver(Packet p) {
        server.onEvent(sim, NetNode.EV_PACKET, 0, p);
        sim.runUntil(sim.now(), null);
    }

    private final class Client extends NetNode {
        Client() {
            super("client");
        }

        @Override
        public int[] ownedAddresses() {
            return new int[] {CLIENT_IP};
        }

        @Override
        protected void receive(Simulator s, Packet p) {
            if (p.has(Packet.SYN)) {
                serverIsn = p.seq;
            }
            if (p.hasTimestamp) {
                serverTs = p.tsVal;
            }
        }
    }
}
