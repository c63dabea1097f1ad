package io.twlab.scenario;

import io.twlab.ipvs.IpvsTimeouts;

import java.util.List;

/**
 * An IPVS director: its virtual services, connection reuse mode and timeouts, and the kernel whose jiffies (and 4.8+
 * timer wheel) its entry timers follow; null: exact times.
 */
public record DirectorSpec(String name, List<VirtualServiceSpec> services, int connReuseMode, IpvsTimeouts timeouts,
                           io.twlab.ipvs.SynProxy synProxy, boolean conntrack, boolean expireNodestConn,
                           io.twlab.kernel.KernelProfile kernel) {

    /** VIP:port scheduled over the hosts of one or more groups, at {@code realPort}. */
    public record VirtualServiceSpec(int vip, int port, io.twlab.ipvs.Scheduler scheduler,
                                     io.twlab.ipvs.ForwardingMode mode, List<String> realServers, int realPort, int weight,
                                     int[] localAddresses, io.twlab.ipvs.FullNatFlavor flavor, long persistenceNs,
                                     List<WeightChange> weightChanges) {
    }

    /** At {@code atNs}, the real server (host) {@code server} gets {@code weight}. */
    public record WeightChange(long atNs, String server, int weight) {
    }

    public VirtualServiceSpec service(int port) {
        return services.stream().filter(s -> s.port() == port).findFirst().orElse(null);
    }
}
