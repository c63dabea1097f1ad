package io.twlab.ipvs;

import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.scenario.ScenarioLoader;
import io.twlab.tcp.Counter;
import io.twlab.tcp.TcpHost;
import io.twlab.metrics.FailureCause;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 003: tcp_tw_recycle=1 on nginx behind an IPVS director. It drops SYNs silently when hosts with unrelated
 * clocks share one source address, and is harmless when every client keeps its own address.
 */
class RecycleBehindLvsTest {
    private static RunResult run(String scenario) {
        return Runner.run(ScenarioLoader.load(Path.of("scenarios/" + scenario), List.of("duration=180s")), null);
    }

    private static long passiveRejects(RunResult r) {
        return r.model().hostGroups().get("nginx").stream().mapToLong(h -> h.counters().get(Counter.PAWSPassive)).sum();
    }

    @Test
    void clientsBehindACarrierNatLoseSynsSilently() {
        // Ten hosts with jiffies clocks from uptimes days apart share 100.64.0.1: within 60 s of a remembered
        // TSval, every host whose clock is behind the newest is dropped without a SYN-ACK.
        RunResult r = run("recycle-lvs-dr-carrier-nat.yaml");
        assertThat(passiveRejects(r)).isGreaterThan(1000);
        assertThat(r.model().clientStats().failures(FailureCause.CONNECT_TIMEOUT)).isGreaterThan(1000);
        // Only some users fail: the host with the newest clock keeps getting through.
        assertThat(r.model().clientStats().successes()).isGreaterThan(100);
    }

    @Test
    void drWithClientAddressesIsHarmlessAndShortensTimeWait() {
        RunResult r = run("recycle-lvs-dr.yaml");
        assertThat(passiveRejects(r)).isZero();
        assertThat(r.model().clientStats().failed()).isZero();
        // tw_recycle's TIME_WAIT is 3.5 x RTO (RTO ~ 0.24 s here): well under a second instead of 60 s.
        TcpHost nginx = r.model().hostGroups().get("nginx").get(0);
        assertThat(r.model().timeWaitLifetimes().get(nginx.name()).maxSeconds()).isLessThan(1.0);
        // DR: replies bypass the director, which sees no output packets.
        VirtualService web = r.model().directors().get(0).services().get(0);
        assertThat(web.outPkts()).isZero();
        assertThat(web.inPkts()).isGreaterThan(10_000);
    }

    @Test
    void upstreamNatModeKeepsClientAddressesSoRecycleIsHarmlessToo() {
        RunResult r = run("recycle-lvs-nat.yaml");
        assertThat(passiveRejects(r)).isZero();
        assertThat(r.model().clientStats().failed()).isZero();
        assertThat(r.model().directors().get(0).services().get(0).outPkts()).isGreaterThan(10_000);
    }
}
