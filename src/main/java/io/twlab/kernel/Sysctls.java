package io.twlab.kernel;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** The effective sysctl values of one host: the profile's defaults with the scenario's overrides applied. */
public final class Sysctls {
    public static final String TCP_TIMESTAMPS = "net.ipv4.tcp_timestamps";
    public static final String TCP_TW_REUSE = "net.ipv4.tcp_tw_reuse";
    public static final String TCP_TW_REUSE_DELAY = "net.ipv4.tcp_tw_reuse_delay";
    public static final String TCP_TW_RECYCLE = "net.ipv4.tcp_tw_recycle";
    public static final String TCP_MAX_TW_BUCKETS = "net.ipv4.tcp_max_tw_buckets";
    public static final String TCP_FIN_TIMEOUT = "net.ipv4.tcp_fin_timeout";
    public static final String TCP_RFC1337 = "net.ipv4.tcp_rfc1337";
    public static final String TCP_SYN_RETRIES = "net.ipv4.tcp_syn_retries";
    public static final String TCP_SYNACK_RETRIES = "net.ipv4.tcp_synack_retries";
    public static final String TCP_SYN_LINEAR_TIMEOUTS = "net.ipv4.tcp_syn_linear_timeouts";
    public static final String TCP_INVALID_RATELIMIT = "net.ipv4.tcp_invalid_ratelimit";
    public static final String TCP_MAX_SYN_BACKLOG = "net.ipv4.tcp_max_syn_backlog";
    public static final String IP_LOCAL_PORT_RANGE = "net.ipv4.ip_local_port_range";
    public static final String SOMAXCONN = "net.core.somaxconn";

    private final KernelProfile profile;
    private final long[] values;
    private final String[] names;

    public Sysctls(KernelProfile profile, Map<String, Long> overrides) {
        this.profile = profile;
        TreeMap<String, Sysctl> sorted = new TreeMap<>(profile.sysctls());
        names = sorted.keySet().toArray(new String[0]);
        values = new long[names.length];
        int i = 0;
        for (Sysctl s : sorted.values()) {
            Long v = overrides.get(s.name());
            values[i++] = v != null ? v : s.defaultValue();
        }
        for (String key : overrides.keySet()) {
            if (!profile.hasSysctl(key)) {
                throw new IllegalArgumentException("sysctl " + key + " does not exist on " + profile.name());
            }
        }
    }

    public KernelProfile profile() {
        return profile;
    }

    /** The value of a sysctl; 0 for one this kernel lacks (callers ask the profile first where it matters). */
    public long get(String name) {
        int i = Arrays.binarySearch(names, name);
        return i >= 0 ? values[i] : 0;
    }

    public boolean has(String name) {
        return Arrays.binarySearch(names, name) >= 0;
    }
}
