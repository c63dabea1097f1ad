package io.twlab.net;

import io.twlab.engine.EventHandler;
import io.twlab.engine.Simulator;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;

import java.util.ArrayList;
import java.util.List;

/**
 * A network element with links (its gates) and a routing table from destination address to link.
 * Subclasses are hosts, NAT gateways and later directors; they receive packets as {@link #EV_PACKET} events.
 */
public abstract class NetNode implements EventHandler {
    public static final int EV_PACKET = 0;

    private final String name;
    private final List<Link> links = new ArrayList<>();
    private final Int2ObjectOpenHashMap<Link> routes = new Int2ObjectOpenHashMap<>();
    private long noRouteDrops;
    private Explainer explainer;
    private boolean explainingPacket;

    protected NetNode(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public List<Link> links() {
        return links;
    }

    void attach(Link link) {
        links.add(link);
    }

    public void addRoute(int dstIp, Link via) {
        routes.put(dstIp, via);
    }

    public Link routeTo(int dstIp) {
        return routes.get(dstIp);
    }

    /** Addresses this element answers for; routing sends packets for them here. */
    public abstract int[] ownedAddresses();

    public long noRouteDrops() {
        return noRouteDrops;
    }

    /** Sends a packet towards its destination address; drops it when no route exists. */
    protected void forward(Simulator sim, Packet p) {
        // A host on a single link (most hosts) sends everything it can route through that link.
        Link via = links.size() == 1 && !routes.isEmpty() ? links.get(0) : routes.get(p.dstIp);
        if (via == null) {
            noRouteDrops++;
            return;
        }
        via.transmit(sim, this, p);
    }

    /** Sends a packet on the link towards {@code address} without touching its destination (DR forwarding). */
    protected void forwardTowards(Simulator sim, int address, Packet p) {
        Link via = routes.get(address);
        if (via == null) {
            noRouteDrops++;
            return;
        }
        via.transmit(sim, this, p);
    }

    /** Reports this element's verdicts on the packets {@code e} follows (twlab simulate --explain). */
    public void setExplainer(Explainer e) {
        this.explainer = e;
    }

    Explainer explainer() {
        return explainer;
    }

    /** An explainer is listening: report the verdict on the packet being received with {@link #explain}. */
    protected final boolean explaining() {
        return explainingPacket;
    }

    /** The verdict on the packet being received, the kernel function it follows, and the state around it. */
    protected final void explain(String verdict, String function, String before, String after) {
        if (explainingPacket) {
            explainer.verdict(verdict, function, before, after);
        }
    }

    @Override
    public final void onEvent(Simulator sim, int kind, long arg, Object payload) {
        if (kind == EV_PACKET) {
            Packet p = (Packet) payload;
            if (explainer == null) {
                receive(sim, p);
                return;
            }
            // Every packet is judged while explaining: a NAT may rewrite an unfollowed packet onto a followed tuple.
            explainingPacket = true;
            explainer.begin(sim.now(), this, p);
            receive(sim, p);
            explainingPacket = false;
            explainer.end(p);
        } else {
            onTimer(sim, kind, arg, payload);
        }
    }

    protected abstract void receive(Simulator sim, Packet p);

    protected void onTimer(Simulator sim, int kind, long arg, Object payload) {
        throw new IllegalStateException(name + ": unexpected event kind " + kind);
    }
}
