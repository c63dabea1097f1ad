package io.twlab.advise;

import io.twlab.kernel.Profiles;

import java.util.List;

/**
 * The twlab profile nearest a kernel release: RHEL's 2.6.32 and 3.10.0 builds by their base, otherwise the newest
 * profile whose version is not above the release (what a kernel has, it got from the versions before it).
 */
public record KernelMatch(String release, String profile, boolean exact, String why) {
    private static final List<String> UPSTREAM = List.of("linux-2.6.32", "linux-3.10", "linux-4.4", "linux-4.19",
            "linux-5.10", "linux-6.6", "linux-6.18");

    public static KernelMatch of(String release) {
        if (release == null) {
            return new KernelMatch(null, "linux-6.18", false, "no uname -a or /proc/version: assumed the newest "
                    + "profile; give the host's uname -a to choose");
        }
        if (release.startsWith("2.6.32")) {
            return new KernelMatch(release, "linux-2.6.32", true, "2.6.32 (RHEL 6 base)");
        }
        if (release.startsWith("3.10.0-1127")) {
            return new KernelMatch(release, "linux-3.10.0-1127", true, "RHEL 7.8 kernel");
        }
        if (release.matches("3\\.10\\.0-\\d+.*el7.*")) {
            return new KernelMatch(release, "linux-3.10.0-1127", false, "a RHEL 7 build: modelled as 3.10.0-1127 "
                    + "(RHEL 7.8), the RHEL 7 source twlab follows");
        }
        int[] v = version(release);
        String best = UPSTREAM.get(0);
        for (String p : UPSTREAM) {
            int[] pv = version(p.substring("linux-".length()));
            if (compare(pv, v) <= 0) {
                best = p;
            }
        }
        boolean exact = compare(version(best.substring(6)), new int[]{v[0], v[1], 0}) == 0
                || compare(version(best.substring(6)), v) == 0;
        return new KernelMatch(release, best, exact, exact ? "same version" : "the newest profile not above "
                + v[0] + "." + v[1] + " (kernels inherit the behaviour of the versions before them)");
    }

    private static int[] version(String s) {
        String[] t = s.split("[^0-9]+");
        int[] v = new int[3];
        for (int i = 0; i < 3 && i < t.length; i++) {
            try {
                v[i] = Integer.parseInt(t[i]);
            } catch (NumberFormatException e) {
                v[i] = 0;
            }
        }
        return v;
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    /** Major and minor of the release, e.g. {5, 4} for "5.4.0-150-generic". */
    public int[] majorMinor() {
        int[] v = version(release == null ? "99.0" : release);
        return new int[]{v[0], v[1]};
    }

    /** True when the release is older than major.minor (unknown releases count as new). */
    public boolean before(int major, int minor) {
        int[] v = majorMinor();
        return v[0] < major || v[0] == major && v[1] < minor;
    }

    static {
        for (String p : UPSTREAM) {
            if (Profiles.get(p) == null) {
                throw new IllegalStateException("no profile " + p);
            }
        }
    }
}
