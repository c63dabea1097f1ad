package io.twlab.lab;

import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.scenario.ScenarioLoader;
import io.twlab.tcp.Counter;
import io.twlab.tcp.TcpHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replaying a lab run's arrivals: the client files' start_ms read per host, and the simulation opening at them. */
class LabArrivalsTest {
    @TempDir
    Path dir;

    private static final String YAML = """
            name: replay
            duration: 10s
            hosts:
              - name: client
                count: 2
                kernel: linux-6.18
                address: 10.0.0.1
              - name: server
                kernel: linux-6.18
                address: 10.0.1.1
            links:
              - between: [client, server]
                latency: 1ms
            workloads:
              - name: w
                from: client
                to: server:80
                rate: 100
            """;

    @Test
    void theSimulationOpensExactlyTheRecordedConnections() throws Exception {
        // Written as LabDriver writes them: start_ms relative to the common start.
        Files.writeString(dir.resolve("lab-client-client-1.csv"),
                "start_ms,connect_us,first_byte_us,local_port,outcome\n0.000,210,400,40001,ok\n2500.125,200,380,40003,ok\n");
        Files.writeString(dir.resolve("lab-client-client-2.csv"),
                "start_ms,connect_us,first_byte_us,local_port,outcome\n1000.000,205,390,40001,ok\n");
        Map<String, long[]> arrivals = LabArrivals.read(dir);
        assertThat(arrivals.get("client-1")).containsExactly(0L, 2_500_125_000L);
        assertThat(arrivals.get("client-2")).containsExactly(1_000_000_000L);

        RunResult r = Runner.run(ScenarioLoader.parse(YAML, "replay.yaml", List.of()), null,
                m -> m.workloads().forEach(w -> w.replay(arrivals)));
        // The workload's own rate (100/s, 1,000 in 10 s) is replaced: three connects, two from client-1.
        assertThat(r.model().clientStats().attempts()).isEqualTo(3);
        List<TcpHost> clients = r.model().hostGroups().get("client");
        assertThat(clients.get(0).counters().get(Counter.ActiveOpens)).isEqualTo(2);
        assertThat(clients.get(1).counters().get(Counter.ActiveOpens)).isEqualTo(1);
    }

    @Test
    void aBadLineIsNamedWithItsFileAndLine() throws Exception {
        Path f = dir.resolve("lab-client-c.csv");
        Files.writeString(f, "start_ms,connect_us\n1.0,2\nsoon,3\n");
        assertThatThrownBy(() -> LabArrivals.read(dir)).isInstanceOf(LabException.class)
                .hasMessage(f + ":3:1: expected a start time in ms, found 'soon'");
        assertThatThrownBy(() -> LabArrivals.read(dir.resolve("none"))).isInstanceOf(LabException.class);
    }
}
