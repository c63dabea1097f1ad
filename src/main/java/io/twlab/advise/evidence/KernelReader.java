package io.twlab.advise.evidence;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel release from {@code uname -a} ("Linux HOST 3.10.0-1127.el7.x86_64 #1 SMP ...") or /proc/version
 * ("Linux version 6.18.44 (builder@host) (gcc ...) #1 SMP ..."), the uptime from /proc/uptime ("SECONDS IDLE") and
 * CONFIG_HZ from the kernel's config ("CONFIG_HZ=250").
 */
public final class KernelReader implements EvidenceReader {
    private static final Pattern UNAME = Pattern.compile("^Linux (\\S+) (\\d+\\.\\d+\\S*) #.*$");
    private static final Pattern VERSION = Pattern.compile("^Linux version (\\d+\\.\\d+\\S*) .*$");
    private static final Pattern UPTIME = Pattern.compile("^(\\d+(?:\\.\\d+)?) (\\d+(?:\\.\\d+)?)$");
    private static final Pattern CONFIG_HZ = Pattern.compile("^CONFIG_HZ=(\\d+)$");

    @Override
    public String format() {
        return "kernel";
    }

    @Override
    public boolean recognises(TextFile f) {
        List<String> l = f.contentLines();
        return l.size() == 1 && (UNAME.matcher(l.get(0).trim()).matches()
                || VERSION.matcher(l.get(0).trim()).matches() || UPTIME.matcher(l.get(0).trim()).matches()
                || CONFIG_HZ.matcher(l.get(0).trim()).matches());
    }

    @Override
    public void read(TextFile f, HostEvidence host, List<Problem> problems) {
        for (int i = 0; i < f.lines().size(); i++) {
            String line = f.lines().get(i).trim();
            Matcher u = UNAME.matcher(line);
            Matcher v = VERSION.matcher(line);
            Matcher up = UPTIME.matcher(line);
            Matcher hz = CONFIG_HZ.matcher(line);
            if (u.matches()) {
                host.kernelRelease = new Sourced<>(u.group(2), f.name(), f.lineNumber(i));
            } else if (v.matches()) {
                host.kernelRelease = new Sourced<>(v.group(1), f.name(), f.lineNumber(i));
            } else if (up.matches()) {
                host.uptimeSeconds = new Sourced<>(Double.parseDouble(up.group(1)), f.name(), f.lineNumber(i));
            } else if (hz.matches()) {
                host.configHz = new Sourced<>(Integer.parseInt(hz.group(1)), f.name(), f.lineNumber(i));
            }
        }
    }
}
