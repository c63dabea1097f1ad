package io.twlab.ipvs;

import java.util.List;

/** A virtual service VIP:port with its real servers, scheduler and forwarding method. */
public final class VirtualService {
    final int vip;
    final int port;
    final Scheduler scheduler;
    final ForwardingMode mode;
    final int[] localAddresses;
    final FullNatFlavor flavor;
    int nextLocalAddress;
    /** Per local address: Alibaba's sequential port counter. */
    final int[] portCounters;
    final Scheduler.State schedulerState = new Scheduler.State();
    final List<RealServer> servers;
    long conns;
    long inPkts;
    long outPkts;

    public VirtualService(int vip, int port, Scheduler scheduler, ForwardingMode mode, List<RealServer> servers) {
        this(vip, port, scheduler, mode, servers, new int[0], FullNatFlavor.ALIBABA);
    }

    public VirtualService(int vip, int port, Scheduler scheduler, ForwardingMode mode, List<RealServer> servers,
                          int[] localAddresses, FullNatFlavor flavor) {
        this.vip = vip;
        this.port = port;
        this.scheduler = scheduler;
        this.mode = mode;
        this.localAddresses = localAddresses.clone();
        this.flavor = flavor;
        this.portCounters = new int[localAddresses.length];
        this.servers = List.copyOf(servers);
    }

    public int vip() {
        return vip;
    }

    public int port() {
        return port;
    }

    public int[] localAddresses() {
        return localAddresses.clone();
    }

    public ForwardingMode mode() {
        return mode;
    }

    public List<RealServer> servers() {
        return servers;
    }

    /** New connections scheduled (ipvsadm "Conns"). */
    public long conns() {
        return conns;
    }

    public long inPkts() {
        return inPkts;
    }

    public long outPkts() {
        return outPkts;
    }
}
