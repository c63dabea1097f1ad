package io.twlab.report.rules;

import io.twlab.model.SeriesKey;
import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;
import io.twlab.report.RunFacts.Director;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.twlab.report.rules.Wording.num;

/**
 * Seed 000's LVS curve: SYNs that found an earlier connection's IPVS entry went to its real server unscheduled,
 * so the director's new-connection rate peaks and falls as source ports come back while their entries live.
 */
public final class IpvsEntryReuseRule implements FindingRule {
    @Override
    public List<Finding> apply(RunFacts run) {
        List<Finding> out = new ArrayList<>();
        for (Director d : run.directors()) {
            if (d.reusedEntries() == 0) {
                continue;
            }
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("synsOnExistingEntries", d.reusedEntries());
            facts.put("conns", d.conns());
            SeriesKey conns = SeriesKey.directorConns(d.name());
            int peakRow = run.series().peakRow(conns);
            double peak = run.series().valueInRow(conns, peakRow);
            double offeredAtPeak = peakRow < 0 ? 0 : run.series().valueInRow(SeriesKey.OFFERED_RATE, peakRow);
            facts.put("peakNewConnsPerSecond", peak);
            out.add(new Finding("ipvs-entry-reuse", Severity.WARNING, d.name(), -1, -1, d.reusedEntries(),
                    String.format(Locale.ROOT, "%,d SYNs on %s found the IPVS entry of an earlier connection on the "
                                    + "same client address and port and went to the same real server without being "
                                    + "scheduled (not counted as new connections): the director's new-connection "
                                    + "rate peaked at %s/s (offered %s conn/s then) and falls as source ports "
                                    + "come back while their entries live.", d.reusedEntries(), d.name(),
                            num(peak), num(offeredAtPeak)), facts));
        }
        return out;
    }
}
