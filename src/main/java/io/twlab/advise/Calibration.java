package io.twlab.advise;

import io.twlab.advise.evidence.CounterChange;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.tcp.Counter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The calibrated scenario run on {@link #SEEDS} seeds and set beside the bundle: for every counter both sides
 * have (summed over the servers, and over the clients), the observed change, the simulated mean and their ratio.
 */
public final class Calibration {
    public static final long[] SEEDS = {1, 2, 3};

    public record Row(String role, String counter, long observed, double simulated, Double ratio, String source) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", role);
            m.put("counter", counter);
            m.put("observed", observed);
            m.put("simulated", simulated);
            m.put("ratio", ratio);
            m.put("source", source);
            return m;
        }
    }

    public final List<Row> rows = new ArrayList<>();
    public final List<Simulation> runs = new ArrayList<>();

    public static Calibration run(Observed o, CalibratedScenario scenario) {
        Calibration c = new Calibration();
        for (long seed : SEEDS) {
            c.runs.add(Simulation.run(scenario.yaml, List.of(), seed));
        }
        for (Role role : List.of(Role.SERVER, Role.CLIENT)) {
            List<HostEvidence> hosts = o.hosts(role);
            if (hosts.isEmpty()) {
                continue;
            }
            for (Counter counter : Counter.values()) {
                long observed = 0;
                boolean any = false;
                List<String> sources = new ArrayList<>();
                for (HostEvidence h : hosts) {
                    CounterChange ch = o.bundle.change(h, counter.nstatName());
                    if (ch != null && ch.seconds() > 0) {
                        observed += ch.delta();
                        any = true;
                        sources.add(h.name + " " + ch.sources());
                    }
                }
                if (!any) {
                    continue;
                }
                double sim = c.runs.stream().mapToLong(r -> r.counter(role.key(), counter.name())).average()
                        .orElse(0);
                if (observed == 0 && sim == 0) {
                    continue;
                }
                c.rows.add(new Row(role.key(), counter.name(), observed, sim,
                        observed == 0 ? null : Math.round(sim / observed * 1000) / 1000.0,
                        String.join("; ", sources)));
            }
        }
        long tw = 0;
        boolean any = false;
        List<String> src = new ArrayList<>();
        for (HostEvidence h : o.hosts(Role.SERVER)) {
            if (h.timeWaitListed != null) {
                tw += h.timeWaitListed.value();
                any = true;
                src.add(h.timeWaitListed.source());
            }
        }
        if (any) {
            double sim = c.runs.stream().mapToLong(Simulation::serverTimeWaitNow).average().orElse(0);
            c.rows.add(new Row("server", "TIME-WAIT sockets at the end", tw, sim,
                    tw == 0 ? null : Math.round(sim / tw * 1000) / 1000.0, String.join("; ", src)));
        }
        return c;
    }

    public List<Object> toList() {
        return new ArrayList<>(rows.stream().map(Row::toMap).toList());
    }
}
