package io.twlab.advise;

import io.twlab.metrics.SeriesTable;
import io.twlab.model.RunResult;
import io.twlab.model.Runner;
import io.twlab.report.Json;
import io.twlab.report.RunSummary;
import io.twlab.scenario.ScenarioLoader;
import io.twlab.scenario.ScenarioSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One run of the calibrated scenario with overrides and a seed: its summary document and its series. */
public record Simulation(Map<String, Object> summary, SeriesTable series) {
    public static final String SOURCE = "calibrated.yaml";

    public static Simulation run(String yaml, List<String> sets, long seed) {
        List<String> all = new ArrayList<>(sets);
        all.add("seed=" + seed);
        ScenarioSpec spec = ScenarioLoader.parse(yaml, SOURCE, all);
        RunResult r = Runner.run(spec, null);
        return new Simulation(Json.object(Json.parse(Json.write(RunSummary.toMap(r)))), r.series());
    }

    /** The sum of a counter over the simulated hosts of one role ("server" or "client"). */
    public long counter(String role, String counter) {
        long sum = 0;
        for (Object h : Json.object(summary.get("hosts")).values()) {
            Map<String, Object> hm = Json.object(h);
            if (role.equals(hm.get("role"))) {
                Object v = Json.object(hm.get("counters")).get(counter);
                sum += v == null ? 0 : Json.asLong(v);
            }
        }
        return sum;
    }

    /** TIME_WAIT sockets on the servers at the end of the run. */
    public long serverTimeWaitNow() {
        long sum = 0;
        for (Object h : Json.object(summary.get("hosts")).values()) {
            Map<String, Object> hm = Json.object(h);
            if ("server".equals(hm.get("role"))) {
                sum += Json.asLong(Json.object(hm.get("timeWait")).get("now"));
            }
        }
        return sum;
    }

    public Map<String, Object> clients() {
        return Json.object(summary.get("clients"));
    }

    public long failed() {
        return Json.asLong(clients().get("failed"));
    }

    public long attempts() {
        return Json.asLong(clients().get("attempts"));
    }

    public double connectP99() {
        return Json.asDouble(Json.object(clients().get("connectMs")).get("p99"));
    }

    public double firstByteP99() {
        return Json.asDouble(Json.object(clients().get("firstByteMs")).get("p99"));
    }

    /** PAWS rejects at the servers, by whichever counter their kernel uses. */
    public long pawsRejects() {
        return counter("server", "PAWSEstab") + counter("server", "PAWSTimewait");
    }

    /** SYNs the servers dropped without an answer: tw_recycle (PAWSPassive) and full listen queues. */
    public long silentDrops() {
        return counter("server", "PAWSPassive") + counter("server", "ListenDrops");
    }
}
