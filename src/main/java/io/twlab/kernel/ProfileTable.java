package io.twlab.kernel;

import java.util.Locale;
import java.util.Map;

/**
 * Every profile as text: how it derives from its predecessor (each change with its version and source), then
 * each behaviour it selects and each sysctl with its default and range. {@code twlab profiles --table} prints it;
 * a golden test compares it with a checked-in copy, so any change of a profile shows in review.
 */
public final class ProfileTable {
    private ProfileTable() {
    }

    public static String render() {
        StringBuilder sb = new StringBuilder();
        for (String name : Profiles.names()) {
            KernelProfile p = Profiles.get(name);
            sb.append(p.name());
            if (p.derivedFrom() == null) {
                sb.append(" (base)");
            } else {
                sb.append(" = ").append(p.derivedFrom()).append(".with(").append(p.changes().size()).append(" changes)");
            }
            sb.append("\n  source: ").append(p.source()).append('\n');
            for (KernelChange c : p.changes()) {
                sb.append("  + ").append(c.what()).append(" [").append(c.since()).append("] ").append(c.source())
                        .append('\n');
            }
            field(sb, "CONFIG_HZ", p.defaultHz());
            field(sb, "TIME_WAIT reaper", p.reaper());
            field(sb, "TSval clock", p.tsClock());
            field(sb, "TSval offsets", p.tsOffset());
            field(sb, "initial RTO ms", p.initialRtoMs());
            field(sb, "SYN linear timeouts", p.synLinearTimeouts());
            field(sb, "SYN re-sent after bad ACK", p.resendSynAfterInvalidAck());
            field(sb, "RST re-arms TIME_WAIT", p.twRescheduleOnRst());
            field(sb, "TIME_WAIT ACK rate limit", p.twAckRateLimited());
            field(sb, "RFC 5961 challenge ACKs", p.rfc5961ChallengeAcks());
            field(sb, "TIME_WAIT PAWS counter", p.pawsTimewaitCounter());
            field(sb, "TW counted when armed", p.twCountedAtArming());
            field(sb, "tw_reuse rule", p.twReuse());
            field(sb, "tw_reuse=2 loopback only", p.twReuseLoopbackMode());
            field(sb, "recycle drops SYN w/o TS", p.recycleDropsSynWithoutTs());
            field(sb, "PAWS wrap seconds", p.pawsWrapSeconds());
            field(sb, "connect() port search", p.portSelection());
            field(sb, "nf_nat port search", p.natPortAllocation());
            for (Map.Entry<String, Sysctl> e : p.sysctls().entrySet()) {
                Sysctl s = e.getValue();
                String def = s.procText(s.defaultValue());
                String range = s.portRange() ? "ports" : s.min() + ".." + s.max();
                sb.append(String.format(Locale.ROOT, "  sysctl %-36s %-12s %s%n", e.getKey(), def, range));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void field(StringBuilder sb, String label, Object value) {
        sb.append(String.format(Locale.ROOT, "  %-26s %s%n", label, value));
    }
}
