package io.twlab.advise.evidence;

import java.util.ArrayList;
import java.util.List;

/**
 * A virtual service as ipvsadm lists it, with its real servers; stats and rates are filled in from
 * {@code ipvsadm -Ln --stats} and {@code --rate} when those files are present (-1 when not).
 */
public final class IpvsService {
    public final String protocol;
    public final String vip;
    public final int port;
    public final String scheduler;
    public final String flags;
    public final String file;
    public final int line;
    public final List<RealServer> realServers = new ArrayList<>();
    public long conns = -1;
    public double cps = -1;

    public IpvsService(String protocol, String vip, int port, String scheduler, String flags, String file, int line) {
        this.protocol = protocol;
        this.vip = vip;
        this.port = port;
        this.scheduler = scheduler;
        this.flags = flags;
        this.file = file;
        this.line = line;
    }

    public String key() {
        return protocol + " " + vip + ":" + port;
    }

    public String source() {
        return file + ":" + line;
    }

    /** Forwarding method: Masq, Route, Tunnel, FullNat (Alibaba LVS), Local. */
    public record RealServer(String address, int port, String forward, int weight, long activeConns,
                             long inactiveConns, String file, int line) {
    }

    public String forwarding() {
        return realServers.isEmpty() ? "" : realServers.get(0).forward();
    }
}
