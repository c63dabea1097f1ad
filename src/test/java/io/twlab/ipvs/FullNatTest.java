package io.twlab.ipvs;

import io.twlab.model.Capture;
import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.net.Packet;
import io.twlab.scenario.ScenarioLoader;
import io.twlab.tcp.Counter;
import io.twlab.tcp.TcpHost;
import io.twlab.metrics.FailureCause;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Full NAT: the real server sees the director's local address as the client. */
class FullNatTest {
    @Test
    void swarmIngressMasqueradeWithTwRecycleDropsSyns() {
        // Seed 004: five clients masqueraded to 10.255.0.2 share one tw_recycle peer entry in the container.
        RunResult r = Runner.run(ScenarioLoader.load(Path.of("scenarios/swarm-ingress-recycle.yaml"),
                List.of("duration=180s")), null);
        TcpHost container = r.model().hostGroups().get("container").get(0);
        assertThat(container.counters().get(Counter.PAWSPassive)).isGreaterThan(500);
        assertThat(r.model().clientStats().failures(FailureCause.CONNECT_TIMEOUT)).isGreaterThan(100);
        RunResult fixed = Runner.run(ScenarioLoader.load(Path.of("scenarios/swarm-ingress-recycle-off.yaml"),
                List.of("duration=180s")), null);
        assertThat(fixed.model().hostGroups().get("container").get(0).counters().get(Counter.PAWSPassive)).isZero();
        assertThat(fixed.model().clientStats().failed()).isZero();
    }

    @Test
    void alibabaFullNatStripsTimestampsRewritesTheIsnAndCountsPortsFrom5001() {
        // Alibaba FULLNAT: the SYN to the real server has no TS option and a new ISN; replies are translated back,
        // so exchanges complete; local ports come from a per-address counter starting at lport_min + 1 = 5001.
        Capture[] cap = new Capture[1];
        RunResult r = Capture.run(ScenarioLoader.load(Path.of("scenarios/swarm-ingress-recycle.yaml"),
                List.of("duration=20s", "directors.ingress.services.api.fullnat-flavor=alibaba")), "ingress",
                "container", cap);
        assertThat(r.model().clientStats().failed()).isZero();
        assertThat(r.model().clientStats().successes()).isGreaterThan(300);
        List<Capture.Seen> syns = cap[0].packets.stream()
                .filter(p -> p.from().equals("ingress") && p.is(Packet.SYN)).toList();
        assertThat(syns).isNotEmpty().allMatch(p -> !p.hasTs());
        assertThat(syns.get(0).srcPort()).isEqualTo(5001);
        assertThat(syns.get(1).srcPort()).isEqualTo(5002);
        // Without timestamps the container never records a peer timestamp, so tw_recycle drops nothing.
        assertThat(r.model().hostGroups().get("container").get(0).counters().get(Counter.PAWSPassive)).isZero();
    }
}
