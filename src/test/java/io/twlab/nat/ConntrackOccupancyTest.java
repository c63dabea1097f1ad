package io.twlab.nat;

import io.twlab.metrics.SeriesTable;
import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.model.SeriesKey;
import io.twlab.scenario.ScenarioLoader;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The NAT's reported mappings are the live conntrack entries (conntrack -C), not those awaiting the sweep. */
class ConntrackOccupancyTest {
    private static final String YAML = """
            name: occupancy
            duration: 60s
            hosts:
              - name: client
                kernel: linux-6.18
                address: 10.0.0.1
              - name: server
                kernel: linux-6.18
                address: 10.0.1.1
            nats:
              - name: router
                inside: [client]
                public-ips: [20.0.0.1]
                timeouts:
                  time-wait: 5s
            links:
              - between: [client, router]
                latency: 1ms
              - between: [router, server]
                latency: 1ms
            workloads:
              - name: w
                from: client
                to: server:80
                rate: 2
            """;

    /**
     * 2 connections/s, each held by conntrack for its few milliseconds of life plus the 5 s TIME_WAIT timeout:
     * 2 x 5 = 10 live entries, 11 at the instant a new SYN arrives. Counted until the 10 s sweep instead, the same
     * run would report up to 2 x (5 + 10) = 30.
     */
    @Test
    void mappingsCountOnlyEntriesStillWithinTheirTimeout() {
        RunResult r = Runner.run(ScenarioLoader.parse(YAML, "occupancy.yaml", List.of()), null);
        SeriesTable t = r.series();
        int col = t.column(SeriesKey.natMappings("router").column());
        for (double[] row : t.rows()) {
            if (row[0] >= 10) {
                assertThat(row[col]).as("mappings at %s s", row[0]).isBetween(9.0, 11.0);
            }
        }
    }
}
