package io.twlab.ipvs;

import io.twlab.metrics.LatencyHistogram;
import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.scenario.ScenarioLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Seed 002: FullNAT SYNPROXY's fixed 3 s re-send of a lost SYN to the real server. */
class SynProxyTest {
    private static final long S = 1_000_000; // microseconds

    private static RunResult run(String... sets) {
        List<String> all = new ArrayList<>(List.of("duration=600s"));
        all.addAll(List.of(sets));
        return Runner.run(ScenarioLoader.load(Path.of("scenarios/fullnat-synproxy-stall.yaml"), all), null);
    }

    @Test
    void timeToFirstByteHasModesAtThreeSixAndNineSecondsAndNothingBetween() {
        // 12,000 requests; each proxied SYN is lost with p = 5 %: ~600 stall 3 s (one loss), ~30 stall 6 s (two),
        // ~1-2 stall 9 s (three). Base: client-director 1 ms and director-server 0.2 ms, a few ms in all.
        RunResult r = run();
        LatencyHistogram fb = r.model().clientStats().firstByteLatency();
        long base = fb.countBetween(0, S / 10);
        long at3 = fb.countBetween(3 * S - S / 10, 3 * S + S / 10);
        long at6 = fb.countBetween(6 * S - S / 10, 6 * S + S / 10);
        assertThat(base).isGreaterThan(10_000);
        assertThat(at3).isBetween(400L, 800L);
        assertThat(at6).isBetween(10L, 60L);
        // Nothing between the modes (gaps kept 10 % away from them: a histogram bucket near 6 s is 262 ms wide).
        assertThat(fb.countBetween(S / 5, 27 * S / 10)).isZero();
        assertThat(fb.countBetween(33 * S / 10, 54 * S / 10)).isZero();
        assertThat(fb.max()).isLessThan(10 * S);
        assertThat(r.model().clientStats().failed()).isZero();
        // Connecting is never slow: the director answers the SYN itself.
        assertThat(r.model().clientStats().connectLatency().max()).isLessThan(S / 10);
        assertThat(r.model().directors().get(0).synProxyRetries()).isBetween(400L, 900L);
    }

    @Test
    void exponentialVariantMovesTheModesToItsSchedule() {
        // Xiaomi's patch doubles the timeout at each re-send: 3 s, then 6 s more (9 s), then 12 s more (21 s).
        RunResult r = run("directors.lvs.synproxy.backoff=exponential");
        LatencyHistogram fb = r.model().clientStats().firstByteLatency();
        assertThat(fb.countBetween(3 * S - S / 10, 3 * S + S / 10)).isGreaterThan(400);
        assertThat(fb.countBetween(9 * S - S / 10, 9 * S + S / 10)).isGreaterThan(10);
        assertThat(fb.countBetween(45 * S / 10, 75 * S / 10)).isZero();
    }

    @Test
    void withoutSynProxyTheClientsOwnSynRetransmissionShows() {
        // The client's SYN itself is lost 5 % of the time; 3.x clients re-send it after 1 s (then 3 s).
        RunResult r = run("directors.lvs.synproxy.enabled=0");
        LatencyHistogram connect = r.model().clientStats().connectLatency();
        assertThat(connect.countBetween(S - S / 10, S + S / 10)).isBetween(400L, 800L);
        assertThat(connect.countBetween(S / 5, 9 * S / 10 - S / 10)).isZero();
        assertThat(r.model().clientStats().firstByteLatency().max()).isLessThan(S / 10);
    }

    @Test
    void lossThatGrowsWithThePacketRateStallsMoreUnderLoad() {
        // rs-syn-loss-per-kpps 10 %: at 20 conn/s the director handles ~200 packets/s (2 % loss), at 200 conn/s
        // ~2000 packets/s (20 %): ten times the stalled requests per request.
        RunResult light = run("duration=300s", "directors.lvs.synproxy.rs-syn-loss=0",
                "directors.lvs.synproxy.rs-syn-loss-per-kpps=10%");
        RunResult heavy = run("duration=300s", "directors.lvs.synproxy.rs-syn-loss=0",
                "directors.lvs.synproxy.rs-syn-loss-per-kpps=10%", "workloads.client.rate=200");
        double lightShare = light.model().clientStats().firstByteLatency().countBetween(2 * S, 10 * S)
                / (double) light.model().clientStats().attempts();
        double heavyShare = heavy.model().clientStats().firstByteLatency().countBetween(2 * S, 10 * S)
                / (double) heavy.model().clientStats().attempts();
        assertThat(lightShare).isBetween(0.005, 0.04);
        assertThat(heavyShare).isGreaterThan(5 * lightShare);
    }
}
