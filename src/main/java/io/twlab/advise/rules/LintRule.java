package io.twlab.advise.rules;

import io.twlab.advise.AdviceFinding;
import io.twlab.advise.Observed;

import java.util.List;

/**
 * One thing that can be wrong on a path of clients, NATs, directors and servers, checked against a bundle. Each
 * rule names the kernel versions its mechanism applies to and explains the mechanism with its kernel source.
 */
public interface LintRule {
    String id();

    /** Kernel versions the mechanism applies to, e.g. "all", "< 4.12". */
    String appliesTo();

    /** The mechanism in two sentences, with the kernel function it follows. */
    String mechanism();

    List<AdviceFinding> check(Observed system);

    /** The rules twlab advise applies, in the order their findings are listed when equally severe. */
    static List<LintRule> all() {
        return List.of(new PawsTimeWaitRule(), new TwRecycleBehindNatRule(), new SnatPortCapacityRule(),
                new IpvsConnReuseModeRule(), new IpvsExpireNodestConnRule(), new IpvsEntryReuseRule(),
                new ConntrackPressureRule(), new TimeWaitOverflowRule(), new ListenOverflowRule(),
                new TwReuseRoleRule(), new ClientPortExhaustionRule(), new SynproxyRetransmitRule(),
                new CaptureEvidenceRule());
    }
}
