package io.twlab.advise.rules;

import io.twlab.advise.AdviceFinding;
import io.twlab.advise.AdviceFinding.Fact;
import io.twlab.advise.Observed;
import io.twlab.analyzer.Analysis;
import io.twlab.analyzer.AnalysisFinding;
import io.twlab.report.Finding.Severity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What twlab analyze names in a bundle's captures, with the packets as evidence (docs/analyze.md). */
public final class CaptureEvidenceRule implements LintRule {
    @Override
    public String id() {
        return "capture";
    }

    @Override
    public String appliesTo() {
        return "any capture (pcap, pcapng, gzip)";
    }

    @Override
    public String mechanism() {
        return "twlab analyze follows every 4-tuple through the capture and recognises each failure by its packets: "
                + "a SYN answered by the old connection's ACK and an RST (PAWS at TIME_WAIT), unanswered SYNs with "
                + "regressing TSvals (tw_recycle), TSval lines of several hosts behind one address, retransmission "
                + "schedules (docs/analyze.md).";
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        for (Map.Entry<String, List<Analysis>> e : system.captures.entrySet()) {
            for (Analysis a : e.getValue()) {
                String file = String.valueOf(a.toMap().get("file"));
                for (AnalysisFinding f : a.findings()) {
                    List<Fact> facts = new ArrayList<>();
                    for (AnalysisFinding.Evidence ev : f.evidence().subList(0, Math.min(3, f.evidence().size()))) {
                        facts.add(new Fact("packets " + ev.packets(), ev.tuple(), file + " packet "
                                + ev.packets().get(0)));
                    }
                    Map<String, Object> figures = new LinkedHashMap<>(f.facts());
                    figures.put("count", f.count());
                    figures.put("kind", f.kind());
                    Severity sev = f.severity();
                    out.add(new AdviceFinding(id() + ":" + f.kind(), sev, e.getKey(), "In the capture " + file + ": "
                            + f.text(), facts, appliesTo(), mechanism(), figures));
                }
            }
        }
        return out;
    }
}
