package io.twlab.model;

import io.twlab.engine.Simulator;
import io.twlab.nat.NatTcpState;
import io.twlab.nat.NatTimeouts;
import io.twlab.nat.PortAllocation;
import io.twlab.net.Ipv4;
import io.twlab.scenario.HostGroupSpec;
import io.twlab.scenario.LinkSpec;
import io.twlab.scenario.NatSpec;
import io.twlab.scenario.ScenarioSpec;
import io.twlab.scenario.WorkloadSpec;
import io.twlab.workload.Arrivals;
import io.twlab.workload.Pattern;
import io.twlab.workload.RateProfile;
import io.twlab.workload.ServiceSpec;

import java.util.List;
import java.util.Map;

/** Seed 000's topology built in code: partners → round-robin SNAT (2048-65535) → one nginx. */
public final class NatPawsFixture {
    public static final long S = Simulator.NS_PER_SEC;

    private NatPawsFixture() {
    }

    public static ScenarioSpec spec(String serverKernel, String clientKernel, int partners, double rate,
                                    long durationNs, Map<String, Long> serverSysctls, int publicIps) {
        int[] ips = new int[publicIps];
        for (int i = 0; i < publicIps; i++) {
            ips[i] = (int) Ipv4.parse("20.1.1." + (i + 1));
        }
        return new ScenarioSpec("nat-paws-test", "", durationNs, 42,
                List.of(new HostGroupSpec("partner", partners, clientKernel, 1000, (int) Ipv4.parse("10.0.0.10"),
                                Map.of(), 511, 1 * 86400 * S, 40L * 86400 * S),
                        new HostGroupSpec("nginx", 1, serverKernel, 1000, (int) Ipv4.parse("30.1.1.1"),
                                serverSysctls, 511, 1 * 86400 * S, 40L * 86400 * S)),
                List.of(new NatSpec("partner-nat", List.of("partner"), ips, 2048, 65535, PortAllocation.ROUND_ROBIN,
                        null, false, NatTimeouts.linuxDefaults().with(NatTcpState.TIME_WAIT, 10 * S)
                        .with(NatTcpState.CLOSE, 10 * S))),
                List.of(new LinkSpec("partner", "partner-nat", Simulator.NS_PER_MS / 2, 0, 0),
                        new LinkSpec("partner-nat", "nginx", 2 * Simulator.NS_PER_MS, 0, 0)),
                List.of(new WorkloadSpec("partner", "partner", "nginx", 443, RateProfile.constant(rate), Arrivals.PACED,
                        new ServiceSpec(Pattern.HTTP10, 300, 500, 1, 0), 10 * S, 0, 0, true, 0)));
    }
}
