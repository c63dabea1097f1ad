package io.twlab.report.rules;

import io.twlab.model.SeriesKey;
import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;
import io.twlab.report.RunFacts.Host;
import io.twlab.tcp.Counter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import static io.twlab.report.rules.Wording.between;
import static io.twlab.report.rules.Wording.first;
import static io.twlab.report.rules.Wording.last;
import static io.twlab.report.rules.Wording.num;

/**
 * Seed 000: servers' PAWS rejected SYNs (PAWSTimewait, or PAWSEstab on kernels that count it there). The cause
 * is told from the NAT's shortest port reuse age during the rejects against the TIME_WAIT lifetime seen.
 */
public final class PawsRejectRule implements FindingRule {
    @Override
    public List<Finding> apply(RunFacts run) {
        List<Host> hit = new ArrayList<>();
        List<SeriesKey> columns = new ArrayList<>();
        long total = 0;
        for (Host h : run.servers()) {
            long n = h.counter(Counter.PAWSEstab) + h.counter(Counter.PAWSTimewait);
            if (n > 0) {
                hit.add(h);
                total += n;
                columns.add(SeriesKey.counter(h.name(), Counter.PAWSEstab));
                columns.add(SeriesKey.counter(h.name(), Counter.PAWSTimewait));
            }
        }
        if (hit.isEmpty()) {
            return List.of();
        }
        long[] span = run.series().positiveSpan(columns.toArray(SeriesKey[]::new));
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("rejectedSyns", total);
        boolean timewaitCounter = hit.stream().anyMatch(h -> h.counter(Counter.PAWSTimewait) > 0);
        String counter = timewaitCounter ? Counter.PAWSTimewait.nstatName() : Counter.PAWSEstab.nstatName();
        facts.put("counter", counter);
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "PAWS rejected %,d SYNs on %s %s (%s).", total, hostsText(run, hit), between(span), counter));
        if (span != null) {
            double onset = run.series().valueAt(SeriesKey.OFFERED_RATE, span[0]);
            facts.put("onsetSecond", span[0]);
            facts.put("onsetOfferedRate", onset);
            text.append(String.format(Locale.ROOT, " Onset at %s conn/s offered.", num(onset)));
        }
        double twMax = 0;
        TreeSet<String> kernels = new TreeSet<>();
        for (Host h : hit) {
            kernels.add(h.kernel());
            twMax = Math.max(twMax, h.timeWaitMaxSeconds());
        }
        facts.put("timeWaitMaxSeconds", twMax);
        facts.put("kernels", List.copyOf(kernels));
        double reuseAge = span == null ? -1 : minReuseAge(run, span);
        if (reuseAge >= 0) {
            facts.put("minPortReuseAgeSeconds", reuseAge);
            text.append(String.format(Locale.ROOT, " Cause: %s handed source ports out again after as little as "
                            + "%.1f s, while the old 4-tuples were still in TIME_WAIT on %s%s; the new SYN on an old "
                            + "4-tuple carried a timestamp older than the one the TIME_WAIT socket remembered (another "
                            + "host's clock behind the same address), so the server answered it with an ACK for the old "
                            + "connection instead of a SYN-ACK.", natNames(run), reuseAge, String.join(", ", kernels),
                    twMax > reuseAge ? String.format(Locale.ROOT, " (TIME_WAIT lived up to %.1f s in this run)", twMax)
                            : ""));
        } else {
            text.append(String.format(Locale.ROOT, " Cause: SYNs reused 4-tuples still in TIME_WAIT on %s (TIME_WAIT "
                    + "lived up to %.1f s in this run) with a timestamp older than the one remembered, so the server "
                    + "answered with an ACK for the old connection instead of a SYN-ACK.", String.join(", ", kernels),
                    twMax));
        }
        return List.of(new Finding("paws-timewait-reject", Severity.CRITICAL, names(hit), first(span), last(span),
                total, text.toString(), facts));
    }

    /** The shortest age of a port any NAT handed out again during the rejects, in s, or -1. */
    private static double minReuseAge(RunFacts run, long[] span) {
        double min = -1;
        for (RunFacts.Nat n : run.nats()) {
            double m = run.series().minNonNegative(SeriesKey.natMinReuseAge(n.name()), span[0], span[1]);
            if (m >= 0 && (min < 0 || m < min)) {
                min = m;
            }
        }
        return min;
    }

    private static String natNames(RunFacts run) {
        return run.nats().isEmpty() ? "the NAT" : String.join(", ", run.nats().stream().map(RunFacts.Nat::name).toList());
    }

    /** "nginx-1..4" when the hosts are a whole scenario group, else their names. */
    private static String hostsText(RunFacts run, List<Host> hit) {
        List<String> names = hit.stream().map(Host::name).toList();
        for (Map.Entry<String, List<String>> g : run.hostGroups().entrySet()) {
            if (g.getValue().equals(names)) {
                return g.getKey() + "-1.." + hit.size();
            }
        }
        return names(hit);
    }

    private static String names(List<Host> hosts) {
        return String.join(", ", hosts.stream().map(Host::name).toList());
    }
}
