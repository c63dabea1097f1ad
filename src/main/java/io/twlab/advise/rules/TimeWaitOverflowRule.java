package io.twlab.advise.rules;

import io.twlab.advise.AdviceFinding;
import io.twlab.advise.Observed;
import io.twlab.advise.evidence.CounterChange;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.report.Finding.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** TIME_WAIT sockets skipped because tcp_max_tw_buckets is reached. */
public final class TimeWaitOverflowRule implements LintRule {
    @Override
    public String id() {
        return "time-wait-overflow";
    }

    @Override
    public String appliesTo() {
        return "all kernels";
    }

    @Override
    public String mechanism() {
        return "tcp_time_wait() (net/ipv4/tcp_minisocks.c) asks inet_twsk_alloc() for a TIME_WAIT socket, which "
                + "refuses once tcp_max_tw_buckets are in use; the socket is then closed at once, "
                + "TCPTimeWaitOverflow counts it, and its 4-tuple is free for a new SYN immediately, without the "
                + "protection TIME_WAIT gives against old duplicate segments.";
    }

    @Override
    public List<AdviceFinding> check(Observed system) {
        List<AdviceFinding> out = new ArrayList<>();
        for (HostEvidence h : system.bundle.hosts.values()) {
            CounterChange c = system.bundle.change(h, "TcpExtTCPTimeWaitOverflow");
            if (c == null || !c.showsEvents()) {
                continue;
            }
            String text = c.rising()
                    ? String.format(Locale.ROOT, "%s skipped %d TIME_WAIT sockets in %.0f s (TCPTimeWaitOverflow): "
                    + "tcp_max_tw_buckets = %s is reached, so closed connections leave no TIME_WAIT. This hides "
                    + "TIME_WAIT reuse problems at the price of accepting old duplicates.", h.name, c.delta(),
                    c.seconds(), h.sysctl("net.ipv4.tcp_max_tw_buckets"))
                    : String.format(Locale.ROOT, "%s has skipped %d TIME_WAIT sockets since boot "
                    + "(TCPTimeWaitOverflow): tcp_max_tw_buckets = %s was reached at some time.", h.name, c.last(),
                    h.sysctl("net.ipv4.tcp_max_tw_buckets"));
            out.add(new AdviceFinding(id(), c.rising() ? Severity.WARNING : Severity.INFO, h.name, text,
                    List.of(Facts.counter(c), Facts.sysctl(h, "net.ipv4.tcp_max_tw_buckets")), appliesTo(),
                    mechanism(), Facts.figures("delta", c.delta(), "perSecond", c.perSecond())));
        }
        return out;
    }
}
