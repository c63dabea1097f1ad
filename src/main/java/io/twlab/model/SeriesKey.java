package io.twlab.model;

import io.twlab.metrics.FailureCause;
import io.twlab.tcp.Counter;

/**
 * A column of the per-second series, as series.csv heads it: the element it belongs to ("" for the run as a whole)
 * and what it measures. The recorder names its columns with these keys and the report and findings look them up
 * with the same keys, so a renamed column cannot silently read as absent.
 */
public record SeriesKey(String element, String measure) {
    public static final SeriesKey TIME = run("time_s");
    public static final SeriesKey OFFERED_RATE = run("offered_rate");
    public static final SeriesKey ATTEMPTS = run("attempts");
    public static final SeriesKey SUCCESSES = run("successes");
    public static final SeriesKey FAILED = run("failed");
    public static final SeriesKey CONNECT_P50_MS = run("connect_ms.p50");
    public static final SeriesKey CONNECT_P99_MS = run("connect_ms.p99");
    public static final SeriesKey CONNECT_MAX_MS = run("connect_ms.max");

    private static SeriesKey run(String measure) {
        return new SeriesKey("", measure);
    }

    /** Requests that failed in the second, by cause. */
    public static SeriesKey failed(FailureCause cause) {
        return run("failed." + cause.key());
    }

    /** A server's TIME_WAIT sockets at the end of the second. */
    public static SeriesKey timeWait(String host) {
        return new SeriesKey(host, "time_wait");
    }

    /** A server counter's increase during the second (one of SeriesRecorder.SERIES_COUNTERS). */
    public static SeriesKey counter(String host, Counter counter) {
        return new SeriesKey(host, counter.name());
    }

    /** A NAT's mappings in its table at the end of the second. */
    public static SeriesKey natMappings(String nat) {
        return new SeriesKey(nat, "mappings");
    }

    /** The shortest age of a public port the NAT handed out again in the second, in s; -1 when none was. */
    public static SeriesKey natMinReuseAge(String nat) {
        return new SeriesKey(nat, "min_port_reuse_age_s");
    }

    /** A director's new connections in the second (ipvsadm --rate CPS). */
    public static SeriesKey directorConns(String director) {
        return new SeriesKey(director, "conns");
    }

    /** A real server's new connections in the second, behind {@code service} ("vip:port") of a director. */
    public static SeriesKey realServerConns(String director, String service, String server) {
        return new SeriesKey(director + "." + service + "." + server, "conns");
    }

    public static SeriesKey realServerActive(String director, String service, String server) {
        return new SeriesKey(director + "." + service + "." + server, "active");
    }

    public static SeriesKey realServerInactive(String director, String service, String server) {
        return new SeriesKey(director + "." + service + "." + server, "inactive");
    }

    /** The column's name in series.csv. */
    public String column() {
        return element.isEmpty() ? measure : element + "." + measure;
    }

    @Override
    public String toString() {
        return column();
    }
}
