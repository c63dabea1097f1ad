package io.twlab.ipvs;

import java.util.List;

/** A virtual service VIP:port with its real servers, scheduler and forwarding method. */
public final class VirtualService {
    final int vip;
    final int port;
    final Scheduler scheduler;
    final ForwardingMode mode;
    final FullNatFlavor flavor;
    /** Full NAT: the local addresses connections toward real servers come from. */
    final LocalAddressPool localPool;
    /** ipvsadm -p: how long a client address stays with its real server after its last new connection; 0 = off. */
    long persistenceNs;
    /** Persistence templates: client address -> real server and the template's expiry (ip_vs_sched_persist). */
    final it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap<RealServer> templateServer =
            new it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap<>();
    final it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap templateExpiry = new it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap();
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
        this.flavor = flavor;
        this.localPool = new LocalAddressPool(localAddresses, flavor);
        this.servers = List.copyOf(servers);
    }

    public int vip() {
        return vip;
    }

    public int port() {
        return port;
    }

    public void setPersistence(long nanos) {
        this.persistenceNs = nanos;
    }

    /**
     * The real server for a new connection: with persistence, the client address's template while it lives
     * (refreshed by each new connection), else the scheduler's choice, which then becomes the template.
     */
    RealServer choose(int clientIp, int clientPort, long now) {
        if (persistenceNs > 0) {
            RealServer t = templateServer.get(clientIp);
            if (t != null && templateExpiry.get(clientIp) > now && t.weight > 0) {
                templateExpiry.put(clientIp, now + persistenceNs);
                return t;
            }
        }
        RealServer rs = scheduler.pick(servers, schedulerState, clientIp, clientPort);
        if (rs != null && persistenceNs > 0) {
            templateServer.put(clientIp, rs);
            templateExpiry.put(clientIp, now + persistenceNs);
        }
        return rs;
    }

    /** Drops persistence templates that expired (their client's next connection is scheduled afresh anyway). */
    void pruneTemplates(long now) {
        if (persistenceNs > 0) {
            templateExpiry.int2LongEntrySet().removeIf(e -> {
                boolean dead = e.getLongValue() <= now;
                if (dead) {
                    templateServer.remove(e.getIntKey());
                }
                return dead;
            });
        }
    }

    public int[] localAddresses() {
        return localPool.addresses();
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
