package io.twlab.net;

/**
 * Sees every packet a link accepts for transmission, as tcpdump on the sending interface would. The packet
 * may be rewritten later (NAT), so an observer copies what it keeps.
 */
public interface PacketObserver {
    void onTransmit(long timeNs, NetNode from, NetNode to, Packet p, boolean lost);
}
