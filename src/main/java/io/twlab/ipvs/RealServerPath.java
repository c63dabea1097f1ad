package io.twlab.ipvs;

import io.twlab.engine.Simulator;

import java.util.SplittableRandom;

/**
 * The loss of SYNs the director sends toward real servers (seed 002: packet_xmit succeeded with nothing on the
 * wire, more often at high packet rates): a SYN is lost with SynProxy.lossAt(the packets the director handled in
 * the previous whole second of simulated time).
 */
final class RealServerPath {
    private final Simulator sim;
    private final SynProxy settings;
    private final SplittableRandom random;
    private long lost;
    private long second = -1;
    private long packetsThisSecond;
    private long packetsPreviousSecond;

    RealServerPath(Simulator sim, SynProxy settings, SplittableRandom random) {
        this.sim = sim;
        this.settings = settings;
        this.random = random;
    }

    /** Every packet the director receives counts toward the rate. */
    void countPacket() {
        rollSecond();
        packetsThisSecond++;
    }

    /** Whether this SYN toward a real server is lost. */
    boolean loseSyn() {
        if (settings.rsSynLoss() <= 0 && settings.rsSynLossPerKpps() <= 0) {
            return false;
        }
        rollSecond();
        if (random.nextDouble() < settings.lossAt(packetsPreviousSecond)) {
            lost++;
            return true;
        }
        return false;
    }

    long synsLost() {
        return lost;
    }

    private void rollSecond() {
        long s = sim.now() / Simulator.NS_PER_SEC;
        if (s != second) {
            packetsPreviousSecond = s == second + 1 ? packetsThisSecond : 0;
            packetsThisSecond = 0;
            second = s;
        }
    }
}
