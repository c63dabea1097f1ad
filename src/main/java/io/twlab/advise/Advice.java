package io.twlab.advise;

import io.twlab.advise.rules.LintRule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * twlab advise from start to end: the findings of every lint rule on the observed system, the calibrated scenario
 * and its comparison with the bundle, and each candidate fix simulated on the calibration's seeds and ranked, with
 * the highest request rate it sustains.
 */
public final class Advice {
    /** Headroom search: rate multiples tried upwards (×2 each) or downwards (÷2), and bisection steps after. */
    private static final int HEADROOM_DOUBLINGS = 4;
    private static final int HEADROOM_HALVINGS = 10;
    private static final int HEADROOM_BISECTIONS = 4;
    /** Bounds of one headroom run: simulated seconds, and connections (rate × seconds). */
    private static final double HEADROOM_MAX_SECONDS = 1800;
    private static final double HEADROOM_MAX_CONNECTIONS = 3_000_000;

    public final Observed observed;
    public final List<AdviceFinding> findings = new ArrayList<>();
    public CalibratedScenario scenario;
    public Calibration calibration;
    public Fix.Prediction current;
    public final List<Fix> fixes = new ArrayList<>();
    public final Map<String, Fix.Prediction> predictions = new LinkedHashMap<>();
    public final Map<String, Simulation> fixRuns = new LinkedHashMap<>();

    private Advice(Observed observed) {
        this.observed = observed;
    }

    public static Advice run(Observed o, boolean simulate, Consumer<String> progress) {
        Advice a = new Advice(o);
        for (LintRule r : LintRule.all()) {
            a.findings.addAll(r.check(o));
        }
        a.findings.sort(Comparator.comparing(AdviceFinding::severity));
        a.scenario = CalibratedScenario.of(o);
        if (!simulate) {
            return a;
        }
        progress.accept("calibrating: " + Calibration.SEEDS.length + " runs of the calibrated scenario");
        a.calibration = Calibration.run(o, a.scenario);
        a.current = a.predict(new Fix("current", "no change", List.of(), List.of(), "", List.of(), 1),
                a.calibration.runs);
        for (Fix f : FixCandidates.of(a.findings, a.scenario, o)) {
            progress.accept("simulating fix " + f.id());
            List<Simulation> runs = new ArrayList<>();
            for (long seed : Calibration.SEEDS) {
                runs.add(Simulation.run(a.scenario.yaml, f.sets(), seed));
            }
            a.fixes.add(f);
            a.fixRuns.put(f.id(), runs.get(0));
            a.predictions.put(f.id(), a.predict(f, runs));
        }
        a.fixes.sort(Comparator.comparing(f -> a.predictions.get(f.id()), Fix.Prediction.ORDER));
        return a;
    }

    private Fix.Prediction predict(Fix f, List<Simulation> runs) {
        double[] headroom = headroom(f);
        return new Fix.Prediction(mean(runs, Simulation::attempts), mean(runs, Simulation::failed),
                mean(runs, Simulation::pawsRejects), mean(runs, Simulation::silentDrops),
                runs.stream().mapToDouble(Simulation::connectP99).average().orElse(0),
                runs.stream().mapToDouble(Simulation::firstByteP99).average().orElse(0), headroom[0], headroom[1] > 0);
    }

    private static double mean(List<Simulation> runs, java.util.function.ToLongFunction<Simulation> f) {
        return runs.stream().mapToLong(f).average().orElse(0);
    }

    /**
     * The highest request rate (connections × requests per connection) at which the fix has no failure, PAWS
     * reject or silent drop on the first seed: doubling from the observed rate while it holds, or halving while it
     * does not, then bisecting. Each run lasts long enough for ports to come back: twice the longest hold time
     * plus twice the time to cycle through the NAT's ports. {1} says the search stopped at its top (the rate is a
     * lower bound).
     */
    private double[] headroom(Fix f) {
        double base = scenario.rate;
        AdviceFinding capacity = FixCandidates.first(findings, "snat-port-capacity");
        double hold = capacity == null ? 120 : Math.max(((Number) capacity.figures().get("holdSeconds")).doubleValue(),
                ((Number) capacity.figures().get("serverTimeWaitSeconds")).doubleValue());
        double ports = capacity == null ? 0 : ((Number) capacity.figures().get("ports")).doubleValue();
        java.util.function.DoubleUnaryOperator seconds = r -> Math.min(HEADROOM_MAX_SECONDS,
                Math.max(scenario.durationSeconds, 2 * hold + (ports > 0 ? 2 * ports / r : 0)));
        java.util.function.DoublePredicate sustains = r -> {
            List<String> sets = new ArrayList<>(f.sets());
            sets.removeIf(s -> s.startsWith("workloads." + CalibratedScenario.WORKLOAD + ".rate="));
            sets.add(String.format(java.util.Locale.ROOT, "workloads.%s.rate=%.6f", CalibratedScenario.WORKLOAD,
                    r / f.requestsPerConnection()));
            sets.add(String.format(java.util.Locale.ROOT, "duration=%.0fs", seconds.applyAsDouble(r)));
            Simulation s = Simulation.run(scenario.yaml, sets, Calibration.SEEDS[0]);
            return s.failed() == 0 && s.pawsRejects() == 0 && s.silentDrops() == 0;
        };
        double ok;
        double bad;
        if (sustains.test(base)) {
            ok = base;
            bad = -1;
            for (int i = 0; i < HEADROOM_DOUBLINGS; i++) {
                double r = ok * 2;
                if (r * seconds.applyAsDouble(r) > HEADROOM_MAX_CONNECTIONS) {
                    break;
                }
                if (!sustains.test(r)) {
                    bad = r;
                    break;
                }
                ok = r;
            }
            if (bad < 0) {
                return new double[]{ok, 1};
            }
        } else {
            bad = base;
            ok = 0;
            for (int i = 0; i < HEADROOM_HALVINGS; i++) {
                double r = bad / 2;
                if (sustains.test(r)) {
                    ok = r;
                    break;
                }
                bad = r;
            }
            if (ok == 0) {
                return new double[]{0, 0};
            }
        }
        for (int i = 0; i < HEADROOM_BISECTIONS; i++) {
            double mid = (ok + bad) / 2;
            if (sustains.test(mid)) {
                ok = mid;
            } else {
                bad = mid;
            }
        }
        return new double[]{ok, 0};
    }

    /** 1 for the best fix, by predicted failures, then PAWS rejects and silent drops, then connect p99. */
    public int rank(Fix f) {
        return fixes.indexOf(f) + 1;
    }
}
