package io.twlab.net;

import io.twlab.engine.Simulator;

import java.util.SplittableRandom;

/**
 * A bidirectional link: one-way latency, uniform jitter and independent loss per packet. Each direction
 * delivers in order (a packet never overtakes the one sent before it), as a single wire or queue does.
 * Bandwidth and queueing are not modelled: these scenarios are far below line rate.
 */
public final class Link {
    private final NetNode a;
    private final NetNode b;
    private final long latencyNs;
    private final long jitterNs;
    private final double loss;
    private final SplittableRandom random;
    private long lastDeliveryAtoB;
    private long lastDeliveryBtoA;
    private long delivered;
    private long lost;
    private PacketObserver observer;

    public Link(NetNode a, NetNode b, long latencyNs, long jitterNs, double loss, SplittableRandom random) {
        this.a = a;
        this.b = b;
        this.latencyNs = latencyNs;
        this.jitterNs = jitterNs;
        this.loss = loss;
        this.random = random;
        a.attach(this);
        b.attach(this);
    }

    public NetNode other(NetNode from) {
        return from == a ? b : a;
    }

    public NetNode a() {
        return a;
    }

    public NetNode b() {
        return b;
    }

    public long latencyNs() {
        return latencyNs;
    }

    /** Installs an observer of every packet put on this link (one per link; captures combine their own). */
    public void setObserver(PacketObserver observer) {
        this.observer = observer;
    }

    public long delivered() {
        return delivered;
    }

    public long lost() {
        return lost;
    }

    void transmit(Simulator sim, NetNode from, Packet p) {
        boolean drop = loss > 0 && random.nextDouble() < loss;
        if (observer != null) {
            observer.onTransmit(sim.now(), from, from == a ? b : a, p, drop);
        }
        if (from.explainer() != null) {
            from.explainer().sent(sim.now(), from, from == a ? b : a, p, drop);
        }
        if (drop) {
            lost++;
            return;
        }
        long t = sim.now() + latencyNs + (jitterNs > 0 ? random.nextLong(jitterNs + 1) : 0);
        NetNode to;
        if (from == a) {
            t = Math.max(t, lastDeliveryAtoB);
            lastDeliveryAtoB = t;
            to = b;
        } else {
            t = Math.max(t, lastDeliveryBtoA);
            lastDeliveryBtoA = t;
            to = a;
        }
        delivered++;
        sim.at(t, to, NetNode.EV_PACKET, 0, p);
    }
}
