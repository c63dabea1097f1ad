package io.twlab.report.rules;

import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;
import io.twlab.report.RunFacts.Director;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Packets an IPVS director dropped, by reason (no entry, conn_reuse_mode with conntrack, no server, no local port). */
public final class DirectorDropRule implements FindingRule {
    @Override
    public List<Finding> apply(RunFacts run) {
        List<Finding> out = new ArrayList<>();
        for (Director d : run.directors()) {
            long drops = d.drops();
            if (drops == 0) {
                continue;
            }
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("droppedWithoutEntry", d.droppedNoEntry());
            facts.put("synsDroppedForConntrack", d.synsDroppedForConntrack());
            facts.put("droppedNoServer", d.droppedNoServer());
            facts.put("droppedNoLocalPort", d.droppedNoLocalPort());
            out.add(new Finding("director-drops", Severity.WARNING, d.name(), -1, -1, drops, String.format(
                    Locale.ROOT, "%s dropped %,d packets: %,d without a connection entry, %,d SYNs for a stale "
                            + "conntrack entry (conn_reuse_mode), %,d with no usable real server, %,d with no free "
                            + "local port.", d.name(), drops, d.droppedNoEntry(), d.synsDroppedForConntrack(),
                    d.droppedNoServer(), d.droppedNoLocalPort()), facts));
        }
        return out;
    }
}
