package io.twlab.tcp;

import io.twlab.engine.Simulator;
import io.twlab.kernel.Sysctl;
import io.twlab.kernel.Sysctls;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * connect()'s ephemeral port per version of __inet_hash_connect (net/ipv4/inet_hashtables.c) and the cause of each
 * EADDRNOTAVAIL. The expectations are read from the kernel source, not from the model: the step between two ports
 * a host picks for one destination, and where a 5.18+ host's ports jump. Each connect() below is aborted at once
 * (a SYN_SENT socket just goes), so the port is free again and only the selection algorithm moves the next one.
 */
class EphemeralPortsTest {
    private static final long MS = Simulator.NS_PER_MS;
    /** Default ip_local_port_range 32768-60999: high + 1 - low = 28,232 ports, even. */
    private static final int RANGE = 60999 + 1 - 32768;

    /** The ports of {@code n} connects to one destination, {@code everyMs} apart, each aborted at once. */
    private static List<Integer> ports(TcpFixture f, int n, long everyMs) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TcpConnection c = f.host.connect(TcpFixture.PEER_IP, TcpFixture.LISTEN_PORT, null);
            out.add(c.localPort());
            c.close();
            f.advance(everyMs * MS);
            f.drain();
        }
        return out;
    }

    private static int step(int from, int to) {
        return Math.floorMod(to - from, RANGE);
    }

    /** ≤ 4.5: port = low + (i + hint + offset) mod range from i = 1, and the hint advances by i: steps of 1. */
    @Test
    void upToFourFiveEachConnectTakesTheNextPort() {
        List<Integer> p = ports(TcpFixture.on("linux-2.6.32"), 50, 500);
        for (int i = 1; i < p.size(); i++) {
            assertThat(step(p.get(i - 1), p.get(i))).as("connect %d", i).isEqualTo(1);
        }
    }

    /**
     * 4.6-5.11: even offsets first from (hint + offset) & ~1, the hint advancing by i + 2 with i = 0 when the first
     * port tried is free: steps of exactly 2, across any 10 s boundary too (the offset hash has no time in it).
     */
    @Test
    void fromFourSixTheHintStepsByTwoAndNeverShuffles() {
        List<Integer> p = ports(TcpFixture.on("linux-5.10"), 100, 500); // 50 s: five 10 s periods
        for (int i = 1; i < p.size(); i++) {
            assertThat(step(p.get(i - 1), p.get(i))).as("connect %d", i).isEqualTo(2);
        }
        assertThat(p.get(0) % 2).as("even ports first (low 32768 is even)").isZero();
    }

    /**
     * 5.18+: within one period of jiffies / (10 * HZ) the bucket advances by max(i, 2 * random below 8) + 2, so
     * steps are even and 2-16; at a period boundary the hash (and the bucket) change and the port lands elsewhere
     * in the 28,232-port range: a step of 2-16 there has probability 8 / 14,116 per boundary.
     * The fixture's host booted 3600 s before t = 0 at HZ 250, so kernel jiffies at t are
     * (3600 + t) * 250 + 2^32 - 300 * 250 (INITIAL_JIFFIES) and a period is 2,500 jiffies.
     */
    @Test
    void fromFiveEighteenPortsWalkWithinTenSecondsAndJumpBetween() {
        int n = 120;
        long everyMs = 500; // 60 s: five or six boundaries
        List<Integer> p = ports(TcpFixture.on("linux-6.18"), n, everyMs);
        int jumps = 0;
        int boundaries = 0;
        for (int i = 1; i < n; i++) {
            int s = step(p.get(i - 1), p.get(i));
            if (period(i - 1, everyMs) == period(i, everyMs)) {
                assertThat(s).as("connect %d, same period", i).isBetween(2, 16);
                assertThat(s % 2).as("connect %d: even steps", i).isZero();
            } else {
                boundaries++;
                if (s < 2 || s > 16) {
                    jumps++;
                }
            }
        }
        assertThat(boundaries).isBetween(5, 6);
        assertThat(jumps).as("new region at each 10 s boundary").isEqualTo(boundaries);
    }

    private static long period(int connect, long everyMs) {
        long jiffies = (3600_000L + connect * everyMs) / 4 + (1L << 32) - 300L * 250;
        return jiffies / 2500;
    }

    /** An odd-sized range is rounded down to even (remaining &= ~1): 40000-40002 offers 40000 and 40001 only. */
    @Test
    void anOddRangeLosesItsLastPortFromFourSix() {
        TcpFixture f = TcpFixture.on("linux-6.18", Map.of(Sysctls.IP_LOCAL_PORT_RANGE, Sysctl.packRange(40000, 40002)));
        List<Integer> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            held.add(f.host.connect(TcpFixture.PEER_IP, TcpFixture.LISTEN_PORT, null).localPort());
        }
        assertThat(held).containsExactlyInAnyOrder(40000, 40001);
        assertThat(f.host.connect(TcpFixture.PEER_IP, TcpFixture.LISTEN_PORT, null)).isNull();
        assertThat(f.host.noPortFailures(NoPortCause.IN_USE)).isEqualTo(1);
    }

    // ---- EADDRNOTAVAIL by cause: one local port (40000-40000), held in a named way ----

    private static TcpFixture onePort(Map<String, Long> more) {
        Map<String, Long> s = new HashMap<>(more);
        s.put(Sysctls.IP_LOCAL_PORT_RANGE, Sysctl.packRange(40000, 40000));
        return TcpFixture.on("linux-6.18", s);
    }

    private static void assertOnlyFailure(TcpFixture f, NoPortCause cause) {
        for (NoPortCause c : NoPortCause.values()) {
            assertThat(f.host.noPortFailures(c)).as(c.key()).isEqualTo(c == cause ? 1 : 0);
        }
    }

    @Test
    void aPortHeldByAnOpenConnectionIsInUse() {
        TcpFixture f = onePort(Map.of()).synSent();
        assertThat(f.host.connect(TcpFixture.PEER_IP, TcpFixture.LISTEN_PORT, null)).isNull();
        assertOnlyFailure(f, NoPortCause.IN_USE);
    }

    @Test
    void aTimeWaitWithReuseOffIsTimeWait() {
        TcpFixture f = onePort(Map.of(Sysctls.TCP_TW_REUSE, 0L)).timeWait();
        assertThat(f.host.connect(TcpFixture.PEER_IP, TcpFixture.LISTEN_PORT, null)).isNull();
        assertOnlyFailure(f, NoPortCause.TIME_WAIT);
    }

    /** 4.19+: tcp_tw_reuse=2 (the default) reuses toward loopback only; 192.0.2.1 is not loopback. */
    @Test
    void loopbackOnlyReuseTowardAnotherAddressIsTimeWait() {
        TcpFixture f = onePort(Map.of(Sysctls.TCP_TW_REUSE, 2L)).timeWait();
        assertThat(f.host.connect(TcpFixture.PEER_IP, TcpFixture.LISTEN_PORT, null)).isNull();
        assertOnlyFailure(f, NoPortCause.TIME_WAIT);
    }

    /** 6.14+: reuse after tcp_tw_reuse_delay (1000 ms): refused at 999 ms as too recent, taken at 1001 ms. */
    @Test
    void aTimeWaitYoungerThanTheReuseDelayIsTooRecent() {
        TcpFixture f = onePort(Map.of(Sysctls.TCP_TW_REUSE, 1L)).timeWait();
        f.advance(999 * MS);
        assertThat(f.host.connect(TcpFixture.PEER_IP, TcpFixture.LISTEN_PORT, null)).isNull();
        assertOnlyFailure(f, NoPortCause.TIME_WAIT_TOO_RECENT);
        f.advance(2 * MS);
        assertThat(f.host.connect(TcpFixture.PEER_IP, TcpFixture.LISTEN_PORT, null)).isNotNull();
        assertThat(f.counter(Counter.TWRecycled)).isEqualTo(1);
    }

    /** tcp_twsk_unique() needs the old connection's ts_recent_stamp: without timestamps, no reuse at any age. */
    @Test
    void aTimeWaitWithoutTimestampsCannotBeReused() {
        TcpFixture f = onePort(Map.of(Sysctls.TCP_TW_REUSE, 1L, Sysctls.TCP_TIMESTAMPS, 0L)).timeWait();
        assertThat(f.host.timeWait().count()).isEqualTo(1);
        f.advance(5_000 * MS);
        assertThat(f.host.connect(TcpFixture.PEER_IP, TcpFixture.LISTEN_PORT, null)).isNull();
        assertOnlyFailure(f, NoPortCause.TIME_WAIT_NO_TIMESTAMPS);
    }
}
