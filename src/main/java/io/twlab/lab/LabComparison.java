package io.twlab.lab;

import io.twlab.report.Json;
import io.twlab.kernel.Profiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel's nearest profile and HZ, and the lab's figures set beside the simulation's: the request rate
 * agrees when the arrivals explain the difference, other counts within 25 %, latencies within the same decade;
 * anything else is marked as a difference.
 */
public final class LabComparison {
    private LabComparison() {
    }

    /** The newest profile not newer than {@code release} (e.g. "6.18.44-fc" gives linux-6.18). */
    public static String nearestProfile(String release) {
        int[] running = version(release);
        String best = null;
        int[] bestV = null;
        for (String name : Profiles.names()) {
            int[] v = version(name.substring("linux-".length()));
            if (compare(v, running) <= 0 && (bestV == null || compare(v, bestV) > 0)) {
                best = name;
                bestV = v;
            }
        }
        return best != null ? best : Profiles.names().get(0);
    }

    static int[] version(String s) {
        String[] parts = s.split("[^0-9]+");
        int[] v = new int[4];
        int k = 0;
        for (String p : parts) {
            if (!p.isEmpty() && k < v.length) {
                v[k++] = Integer.parseInt(p.length() > 6 ? p.substring(0, 6) : p);
            }
        }
        return v;
    }

    static int compare(int[] a, int[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    /** CONFIG_HZ of the running kernel from /proc/config.gz or /boot/config-RELEASE; 0 when neither says. */
    public static int runningHz() {
        List<Path> candidates = List.of(Path.of("/proc/config.gz"),
                Path.of("/boot/config-" + System.getProperty("os.version")));
        for (Path p : candidates) {
            if (!Files.isReadable(p)) {
                continue;
            }
            try (InputStream in = p.toString().endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(p))
                    : Files.newInputStream(p)) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (line.startsWith("CONFIG_HZ=")) {
                        return Integer.parseInt(line.substring("CONFIG_HZ=".length()).trim());
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // try the next source
            }
        }
        return 0;
    }



    /** Sum of a counter over the hosts of a role. */
    static double counter(Map<String, Object> summary, String role, String... counters) {
        double sum = 0;
        for (Object h : Json.object(summary.get("hosts")).values()) {
            Map<String, Object> hm = Json.object(h);
            if (role.equals(hm.get("role"))) {
                for (String c : counters) {
                    sum += Json.asDouble(Json.object(hm.get("counters")).get(c));
                }
            }
        }
        return sum;
    }

    static double timeWaitPeak(Map<String, Object> summary) {
        double peak = 0;
        for (Object h : Json.object(summary.get("hosts")).values()) {
            Map<String, Object> hm = Json.object(h);
            if ("server".equals(hm.get("role"))) {
                peak = Math.max(peak, Json.asDouble(Json.object(hm.get("timeWait")).get("peak")));
            }
        }
        return peak;
    }

    /**
     * Rows: metric, lab, simulation, agreement. The simulation replays the lab clients' arrivals, so requests are
     * checked against the schedule instead, as a rate over the run's {@code seconds}: a paced run must make exactly
     * its {@code scheduled} connects (one fewer per client is a driver fault, which a 25 % band on totals hid:
     * 236 of 240), a Poisson one must lie within three standard deviations (3 sqrt(scheduled)) of its mean.
     * <p>
     * {@code sims} are the simulation on several seeds over the same arrivals: the lab is one draw of the kernel's own
     * randomness (nf_nat's random port offsets, ISNs, the port shuffle), so one simulated seed is one draw too (the
     * calibration point gave 91-122 PAWS rejects in five lab runs of one schedule, 94-114 over ten simulated seeds).
     * A row's simulation figure is the seeds' mean, with their minimum and maximum.
     */
    public static List<Map<String, Object>> compare(Map<String, Object> lab, List<Map<String, Object>> sims,
                                                    double seconds, boolean paced, double scheduled) {
        if (sims.isEmpty()) {
            throw new IllegalArgumentException("no simulated seed to compare with");
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> lc = Json.object(lab.get("clients"));
        double la = Json.asDouble(lc.get("attempts"));
        double tolerance = paced ? 0 : 3 * Math.sqrt(scheduled);
        rows.add(row(String.format(Locale.ROOT, "requests per second (scheduled %s)", format(scheduled / seconds)),
                la / seconds, values(sims, s -> Json.asDouble(clients(s).get("attempts")) / seconds),
                Math.abs(la - scheduled) <= tolerance ? (paced ? "on schedule" : "within 3 sd of the schedule")
                        : "differs"));
        count(rows, "failed requests", Json.asDouble(lc.get("failed")),
                values(sims, s -> Json.asDouble(clients(s).get("failed"))));
        count(rows, "SYNs rejected by PAWS at the server (PAWSTimewait + PAWSEstab)",
                counter(lab, "server", "PAWSTimewait", "PAWSEstab"),
                values(sims, s -> counter(s, "server", "PAWSTimewait", "PAWSEstab")));
        count(rows, "client RSTs sent (Tcp OutRsts)", counter(lab, "client", "OutRsts"),
                values(sims, s -> counter(s, "client", "OutRsts")));
        count(rows, "client SYN retransmissions (TCPSynRetrans)", counter(lab, "client", "TCPSynRetrans"),
                values(sims, s -> counter(s, "client", "TCPSynRetrans")));
        count(rows, "server TIME_WAIT peak", timeWaitPeak(lab), values(sims, LabComparison::timeWaitPeak));
        for (String q : List.of("p50", "p99", "max")) {
            latency(rows, "connect latency " + q + " (ms)", Json.asDouble(Json.object(lc.get("connectMs")).get(q)),
                    values(sims, s -> Json.asDouble(Json.object(clients(s).get("connectMs")).get(q))));
        }
        return rows;
    }

    private static Map<String, Object> clients(Map<String, Object> summary) {
        return Json.object(summary.get("clients"));
    }

    private static DoubleSummaryStatistics values(List<Map<String, Object>> sims,
                                                  ToDoubleFunction<Map<String, Object>> metric) {
        return sims.stream().mapToDouble(metric).summaryStatistics();
    }

    /** Within 25 % of the seeds' mean, or inside the range the seeds spanned. */
    private static void count(List<Map<String, Object>> rows, String metric, double lab, DoubleSummaryStatistics sims) {
        boolean agree = Math.abs(lab - sims.getAverage()) <= 0.25 * Math.max(Math.abs(lab), 1);
        rows.add(row(metric, lab, sims, mark(lab, sims, agree, "within 25 %")));
    }

    /** In the decade of the seeds' mean, or inside their range (a p99 over a few slow connects is bimodal). */
    private static void latency(List<Map<String, Object>> rows, String metric, double lab,
                                DoubleSummaryStatistics sims) {
        boolean agree = decade(lab) == decade(sims.getAverage());
        rows.add(row(metric, lab, sims, mark(lab, sims, agree, "same decade")));
    }

    /** {@code agreement} when the lab agrees with the seeds' mean; else whether it lies inside their range. */
    private static String mark(double lab, DoubleSummaryStatistics sims, boolean agreesWithMean, String agreement) {
        if (agreesWithMean) {
            return agreement;
        }
        return lab >= sims.getMin() && lab <= sims.getMax() ? "within the seeds' range" : "differs";
    }

    private static int decade(double ms) {
        return ms <= 0 ? Integer.MIN_VALUE : (int) Math.floor(Math.log10(ms));
    }

    private static Map<String, Object> row(String metric, double lab, DoubleSummaryStatistics sims, String agreement) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", metric);
        m.put("lab", lab);
        m.put("simulation", sims.getAverage());
        m.put("simulationMin", sims.getMin());
        m.put("simulationMax", sims.getMax());
        m.put("agreement", agreement);
        return m;
    }

    /** The comparison as a terminal table: the simulation column is the seeds' mean, then their range. */
    public static String table(List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-66s %12s %12s %21s%n", "", "lab",
                "simulation", "seeds' range"));
        for (Map<String, Object> r : rows) {
            sb.append(String.format(Locale.ROOT, "  %-66s %12s %12s %21s  %s%n", r.get("metric"),
                    format(Json.asDouble(r.get("lab"))), format(Json.asDouble(r.get("simulation"))), range(r),
                    "differs".equals(r.get("agreement")) ? "<- differs" : "ok (" + r.get("agreement") + ")"));
        }
        return sb.toString();
    }

    /** A row's simulated minimum and maximum, "94-114", or one figure when the seeds agree. */
    static String range(Map<String, Object> row) {
        double lo = Json.asDouble(row.get("simulationMin"));
        double hi = Json.asDouble(row.get("simulationMax"));
        return lo == hi ? format(lo) : format(lo) + "-" + format(hi);
    }

    /** A figure as the table prints it: integers with thousands separators, others with two decimals. */
    static String format(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long) v) : String.format(Locale.ROOT, "%,.2f", v);
    }
}
