package io.twlab.advise.rules;

import io.twlab.advise.AdviceFinding.Fact;
import io.twlab.advise.evidence.CounterChange;
import io.twlab.advise.evidence.HostEvidence;
import io.twlab.advise.evidence.Sourced;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Small builders shared by the rules: facts from counters and sysctls, and figures maps. */
final class Facts {
    private Facts() {
    }

    static Fact counter(CounterChange c) {
        Object value = c.seconds() > 0
                ? String.format(Locale.ROOT, "%d -> %d (+%d in %.0f s, %.2f/s)", c.first(), c.last(), c.delta(),
                c.seconds(), c.perSecond())
                : String.format(Locale.ROOT, "%d since boot (one reading)", c.last());
        return new Fact(c.counter(), value, c.sources());
    }

    static Fact sysctl(HostEvidence h, String key) {
        Sourced<String> s = h.sysctls.get(key);
        return s == null ? new Fact(key, "(not in the bundle: the kernel default applies)", "")
                : new Fact(key, s.value(), s.source());
    }

    static Map<String, Object> figures(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static String rate(double r) {
        return r >= 100 ? String.format(Locale.ROOT, "%.0f", r) : r >= 10 ? String.format(Locale.ROOT, "%.1f", r)
                : String.format(Locale.ROOT, "%.2f", r);
    }
}
