package io.twlab.report.rules;

import io.twlab.report.Finding;
import io.twlab.report.Finding.Severity;
import io.twlab.report.RunFacts;
import io.twlab.report.RunFacts.Host;
import io.twlab.tcp.Counter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** tcp_max_tw_buckets reached: sockets closed without TIME_WAIT (TCPTimeWaitOverflow), one finding per host. */
public final class TimeWaitOverflowRule implements FindingRule {
    @Override
    public List<Finding> apply(RunFacts run) {
        List<Finding> out = new ArrayList<>();
        for (Host h : run.hosts()) {
            long n = h.counter(Counter.TCPTimeWaitOverflow);
            if (n > 0) {
                out.add(new Finding("time-wait-overflow", Severity.INFO, h.name(), -1, -1, n, String.format(Locale.ROOT,
                        "%s hit tcp_max_tw_buckets %,d times (%s): those sockets closed at once instead of entering "
                                + "TIME_WAIT, which removes their PAWS check and their protection against old "
                                + "duplicates.", h.name(), n, Counter.TCPTimeWaitOverflow.nstatName()),
                        Map.of("overflows", n)));
            }
        }
        return out;
    }
}
