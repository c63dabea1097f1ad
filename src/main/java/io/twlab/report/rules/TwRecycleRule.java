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

import static io.twlab.report.rules.Wording.between;
import static io.twlab.report.rules.Wording.first;
import static io.twlab.report.rules.Wording.last;

/** tcp_tw_recycle behind NAT (LVS NAT mode, swarm ingress): SYNs dropped by the per-peer check (PAWSPassive). */
public final class TwRecycleRule implements FindingRule {
    @Override
    public List<Finding> apply(RunFacts run) {
        List<Finding> out = new ArrayList<>();
        for (Host h : run.hosts()) {
            long n = h.counter(Counter.PAWSPassive);
            if (n == 0) {
                continue;
            }
            long[] span = run.series().positiveSpan(SeriesKey.counter(h.name(), Counter.PAWSPassive));
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("droppedSyns", n);
            facts.put("counter", Counter.PAWSPassive.nstatName());
            out.add(new Finding("tw-recycle-syn-drop", Severity.CRITICAL, h.name(), first(span), last(span), n,
                    String.format(Locale.ROOT, "tcp_tw_recycle on %s (%s) silently dropped %,d SYNs %s (%s): it "
                                    + "remembers the last timestamp per peer address, and the peers reach it through "
                                    + "one address (NAT or a NAT-mode director) with different clocks, so a SYN whose "
                                    + "timestamp goes backwards within 60 s of that peer's last segment is dropped "
                                    + "without an answer.", h.name(), h.kernel(), n, between(span),
                            Counter.PAWSPassive.nstatName()), facts));
        }
        return out;
    }
}
