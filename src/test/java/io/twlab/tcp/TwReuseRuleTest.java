package io.twlab.tcp;

import io.twlab.engine.Simulator;
import io.twlab.kernel.Sysctl;
import io.twlab.kernel.Sysctls;
import io.twlab.net.Packet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tcp_tw_reuse on connect() (tcp_twsk_unique, net/ipv4/tcp_ipv4.c), one test per time rule: the client holds
 * TIME_WAIT on its only local port (ip_local_port_range 40000-40000), so a second connect() to the same server
 * either takes the TIME_WAIT tuple over or finds no port (EADDRNOTAVAIL). The host's clock starts at a whole
 * second (uptime 3600 s), so "now" below is also the offset into the host's current second.
 */
class TwReuseRuleTest {
    private static final long MS = Simulator.NS_PER_MS;

    private static TcpFixture clientInTimeWait(String kernel, long twReuse) {
        TcpFixture f = TcpFixture.on(kernel, Map.of(Sysctls.IP_LOCAL_PORT_RANGE, Sysctl.packRange(40000, 40000),
                Sysctls.TCP_TW_REUSE, twReuse)).timeWait();
        assertThat(f.host.timeWait().count()).isEqualTo(1);
        return f;
    }

    /** connect() again at {@code atMs} after TIME_WAIT began; the SYN it sent, or null when it found no port. */
    private static Packet reconnectAt(TcpFixture f, long atMs) {
        f.advance(atMs * MS - f.sim.now());
        TcpConnection c = f.host.connect(TcpFixture.PEER_IP, TcpFixture.LISTEN_PORT, null);
        f.sim.runUntil(f.sim.now(), null);
        List<Packet> sent = f.drain();
        if (c == null) {
            assertThat(sent).isEmpty();
            return null;
        }
        assertThat(sent).hasSize(1);
        return sent.get(0);
    }

    /**
     * ≤ 4.18: get_seconds() - tw_ts_recent_stamp > 1. The stamp is second 3600 (the peer's FIN at t = 0):
     * at t = 1.999 s the difference is 3601 - 3600 = 1, not > 1; at t = 2.0 s it is 2.
     */
    @Test
    void upToFourEighteenTheSecondsMustDifferByMoreThanOne() {
        TcpFixture f = clientInTimeWait("linux-4.4", 1);
        int oldSndNxt = f.hostIsn + 2; // SYN and FIN each take one sequence number
        assertThat(reconnectAt(f, 1_999)).isNull();
        Packet syn = reconnectAt(f, 2_000);
        assertThat(syn).isNotNull();
        assertThat(syn.flags).isEqualTo(Packet.SYN);
        assertThat(syn.srcPort).isEqualTo(40000);
        // write_seq = tw_snd_nxt + 65535 + 2.
        assertThat(syn.seq).isEqualTo(oldSndNxt + 65537);
        assertThat(f.counter(Counter.TWRecycled)).isEqualTo(1);
        assertThat(f.host.timeWait().count()).isZero();
    }

    /** 4.19-6.13: the seconds counter only has to move on: not at t = 0.999 s (second 3600), yes at 1.0 s. */
    @Test
    void fromFourNineteenTheSecondCounterMustHaveAdvanced() {
        TcpFixture f = clientInTimeWait("linux-4.19", 1);
        assertThat(reconnectAt(f, 999)).isNull();
        assertThat(reconnectAt(f, 1_000)).isNotNull();
        assertThat(f.counter(Counter.TWRecycled)).isEqualTo(1);
    }

    /** 6.14+: tcp_clock_ms() must be past tw_entry_stamp + tcp_tw_reuse_delay (1000 ms): 1000 is not, 1001 is. */
    @Test
    void fromSixFourteenTheEntryStampPlusTheDelayMustHavePassed() {
        TcpFixture f = clientInTimeWait("linux-6.18", 1);
        assertThat(reconnectAt(f, 1_000)).isNull();
        assertThat(reconnectAt(f, 1_001)).isNotNull();
    }

    @Test
    void theDelayIsTheSysctlsValue() {
        TcpFixture f = TcpFixture.on("linux-6.18", Map.of(Sysctls.IP_LOCAL_PORT_RANGE, Sysctl.packRange(40000, 40000),
                Sysctls.TCP_TW_REUSE, 1L, Sysctls.TCP_TW_REUSE_DELAY, 50L)).timeWait();
        assertThat(reconnectAt(f, 50)).isNull();
        assertThat(reconnectAt(f, 51)).isNotNull();
    }

    /** tcp_tw_reuse = 2 (the 4.19+ default) is for loopback only: 192.0.2.1 is not 127/8, so never. */
    @Test
    void twReuseTwoDoesNotApplyToARemoteServer() {
        TcpFixture f = clientInTimeWait("linux-4.19", 2);
        assertThat(reconnectAt(f, 5_000)).isNull();
        assertThat(f.host.timeWait().count()).isEqualTo(1);
    }

    /** Before 4.19 the sysctl is a boolean (any non-zero value enables reuse): 2 works toward any server. */
    @Test
    void beforeFourNineteenTwoIsJustOn() {
        TcpFixture f = clientInTimeWait("linux-4.4", 2);
        assertThat(reconnectAt(f, 2_000)).isNotNull();
    }

    /** Positive control for the fixture: with tcp_tw_reuse = 0 no rule applies however long we wait. */
    @Test
    void twReuseOffNeverTakesTheTupleOver() {
        TcpFixture f = clientInTimeWait("linux-4.19", 0);
        assertThat(reconnectAt(f, 30_000)).isNull();
    }
}
