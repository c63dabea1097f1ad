package io.twlab.net;

import io.twlab.engine.Simulator;

/** A plain IP router: forwards every packet along its routing table (e.g. the Internet between two networks). */
public final class Router extends NetNode {
    public Router(String name) {
        super(name);
    }

    @Override
    public int[] ownedAddresses() {
        return new int[0];
    }

    @Override
    protected void receive(Simulator sim, Packet p) {
        forward(sim, p);
    }
}
