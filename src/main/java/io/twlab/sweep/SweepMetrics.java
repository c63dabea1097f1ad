package io.twlab.sweep;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The figures a sweep keeps of each run, read from its summary document (the one `simulate --json` prints). */
public final class SweepMetrics {
    /** Every metric, in the order the tables list them; each with what it is. */
    public static final Map<String, String> ALL = new LinkedHashMap<>();

    static {
        ALL.put("attempts", "connection attempts of all clients");
        ALL.put("failures", "attempts that failed");
        ALL.put("failureShare", "failures / attempts");
        ALL.put("pawsRejects", "SYNs rejected by PAWS, all hosts (TcpExtPAWSEstab + TcpExtPAWSTimewait)");
        ALL.put("silentDrops", "SYNs dropped by tcp_tw_recycle's per-peer check, all hosts (TcpExtPAWSPassive)");
        ALL.put("connectP50Ms", "connect latency, median (ms)");
        ALL.put("connectP99Ms", "connect latency, 99th percentile (ms)");
        ALL.put("firstByteP50Ms", "first response byte, median (ms)");
        ALL.put("firstByteP99Ms", "first response byte, 99th percentile (ms)");
        ALL.put("timeWaitPeak", "most TIME_WAIT sockets on any host at once");
        ALL.put("natReuses", "NAT mappings created on a port used before, all NATs");
        ALL.put("directorNewConnsPerSecond", "IPVS connection entries created per second, all directors");
    }

    private SweepMetrics() {
    }

    /** The metrics named in a comma-separated list, or all of them for null. */
    public static List<String> select(String list) {
        if (list == null) {
            return List.copyOf(ALL.keySet());
        }
        List<String> out = new java.util.ArrayList<>();
        for (String m : list.split(",")) {
            String name = m.trim();
            if (!ALL.containsKey(name)) {
                throw new SweepException("--metrics", "no metric '" + name + "'; valid: " + String.join(", ",
                        ALL.keySet()));
            }
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }

    /** The selected metrics of one run's summary. */
    static double[] of(Map<String, Object> summary, List<String> names) {
        Map<String, Object> clients = map(summary.get("clients"));
        double attempts = number(clients.get("attempts"));
        double failed = number(clients.get("failed"));
        double duration = number(map(summary.get("scenario")).get("durationSeconds"));
        double paws = 0;
        double silent = 0;
        double twPeak = 0;
        for (Object h : map(summary.get("hosts")).values()) {
            Map<String, Object> counters = map(map(h).get("counters"));
            paws += number(counters.get("PAWSEstab")) + number(counters.get("PAWSTimewait"));
            silent += number(counters.get("PAWSPassive"));
            Object peak = map(map(h).get("timeWait")).get("peak");
            twPeak = Math.max(twPeak, peak == null ? 0 : number(peak));
        }
        double reuses = 0;
        for (Object n : map(summary.get("nats")).values()) {
            reuses += number(map(n).get("mappingsReused"));
        }
        double entries = 0;
        for (Object d : map(summary.get("directors")).values()) {
            entries += number(map(d).get("conns"));
        }
        double[] out = new double[names.size()];
        for (int i = 0; i < names.size(); i++) {
            out[i] = switch (names.get(i)) {
                case "attempts" -> attempts;
                case "failures" -> failed;
                case "failureShare" -> attempts == 0 ? 0 : failed / attempts;
                case "pawsRejects" -> paws;
                case "silentDrops" -> silent;
                case "connectP50Ms" -> number(map(clients.get("connectMs")).get("p50"));
                case "connectP99Ms" -> number(map(clients.get("connectMs")).get("p99"));
                case "firstByteP50Ms" -> number(map(clients.get("firstByteMs")).get("p50"));
                case "firstByteP99Ms" -> number(map(clients.get("firstByteMs")).get("p99"));
                case "timeWaitPeak" -> twPeak;
                case "natReuses" -> reuses;
                case "directorNewConnsPerSecond" -> duration > 0 ? entries / duration : 0;
                default -> throw new IllegalArgumentException(names.get(i));
            };
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }
}
