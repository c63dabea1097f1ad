package io.twlab.net;

import io.twlab.engine.RandomStreams;
import io.twlab.engine.Simulator;
import io.twlab.kernel.Profiles;
import io.twlab.kernel.Sysctls;
import io.twlab.tcp.CloseReason;
import io.twlab.tcp.HostClock;
import io.twlab.tcp.TcpApp;
import io.twlab.tcp.TcpConnection;
import io.twlab.tcp.TcpHost;
import io.twlab.tcp.TcpVerdict;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** --explain's story of one connection between two hosts, and the per-reason verdict counts behind it. */
class ExplainerTest {
    private static final int CLIENT = (int) Ipv4.parse("10.0.0.1");
    private static final int SERVER = (int) Ipv4.parse("10.0.0.2");

    private static final TcpApp QUIET = new TcpApp() {
        @Override
        public void onEstablished(TcpConnection c) {
        }

        @Override
        public void onData(TcpConnection c, int bytes) {
        }

        @Override
        public void onPeerFin(TcpConnection c) {
        }

        @Override
        public void onClosed(TcpConnection c, CloseReason reason) {
        }
    };

    @Test
    void tellsEachPacketWithItsVerdictAndStateInOrder() {
        Explainer e = Explainer.following(SERVER, 80, 100);
        Pair n = new Pair(e);
        Simulator sim = n.sim;
        TcpHost client = n.client;
        TcpHost server = n.server;
        server.listen(80, 16, c -> QUIET);
        client.connect(SERVER, 80, QUIET);
        // A second SYN to a closed port: NO_LISTENER, a drop.
        client.connect(SERVER, 81, QUIET);
        sim.runUntil(Simulator.NS_PER_SEC, null);

        List<Explainer.Line> lines = e.lines();
        List<String> verdicts = lines.stream().filter(l -> l.event().equals("receives")).map(Explainer.Line::verdict).toList();
        // Only port 80's story: the SYN, the SYN-ACK, the handshake's ACK.
        assertThat(verdicts).containsExactly("SYN_ACCEPTED", "SYN_ACK_ACCEPTED", "HANDSHAKE_COMPLETED");
        Explainer.Line syn = lines.stream().filter(l -> "SYN_ACCEPTED".equals(l.verdict())).findFirst().orElseThrow();
        assertThat(syn.stateBefore()).isEqualTo("LISTEN");
        assertThat(syn.stateAfter()).isEqualTo("SYN_RECV");
        assertThat(syn.function()).isEqualTo("tcp_conn_request");
        // The server's SYN-ACK is told after the verdict that caused it, 1 ms link later than the client's SYN.
        int synAt = lines.indexOf(syn);
        assertThat(lines.get(synAt + 1).event()).isEqualTo("sends");
        assertThat(lines.get(synAt + 1).packet()).contains("[SYN,ACK]");
        assertThat(syn.timeNs()).isEqualTo(Simulator.NS_PER_MS);
        assertThat(server.verdicts(TcpVerdict.NO_LISTENER)).isEqualTo(1);
        assertThat(server.verdicts(TcpVerdict.SYN_ACCEPTED)).isEqualTo(1);
        assertThat(TcpVerdict.NO_LISTENER.drop()).isTrue();
        assertThat(TcpVerdict.SYN_ACCEPTED.drop()).isFalse();
    }

    @Test
    void findsTheFirstPacketWithAVerdict() {
        Explainer finder = Explainer.findingFirst("no-listener");
        Pair n = new Pair(finder);
        TcpConnection c = n.client.connect(SERVER, 81, QUIET);
        n.sim.runUntil(Simulator.NS_PER_SEC, null);
        assertThat(finder.foundTuple()).isNotNull();
        assertThat(finder.foundAtNs()).isEqualTo(Simulator.NS_PER_MS);
        int[] t = finder.foundTuple();
        assertThat(Map.of(t[0], t[1], t[2], t[3])).containsEntry(SERVER, 81).containsEntry(CLIENT, c.localPort());
    }

    /** A client and a server on linux-6.18, one 1 ms link apart, both reporting to {@code explainer}. */
    private static final class Pair {
        final Simulator sim = new Simulator();
        final TcpHost client;
        final TcpHost server;

        Pair(Explainer explainer) {
            RandomStreams random = new RandomStreams(7);
            client = host(sim, "client", CLIENT, random);
            server = host(sim, "server", SERVER, random);
            Link link = new Link(client, server, Simulator.NS_PER_MS, 0, 0, new SplittableRandom(1));
            client.addRoute(SERVER, link);
            server.addRoute(CLIENT, link);
            client.setExplainer(explainer);
            server.setExplainer(explainer);
        }
    }

    private static TcpHost host(Simulator sim, String name, int ip, RandomStreams random) {
        return new TcpHost(sim, name, ip, Profiles.get("linux-6.18"), new Sysctls(Profiles.get("linux-6.18"), Map.of()),
                new HostClock(1000 * Simulator.NS_PER_SEC, 250), random);
    }
}
