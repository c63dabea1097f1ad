package io.twlab.analyzer.capture;

import java.nio.ByteBuffer;

/** Receives each packet of a capture in file order; {@code data} is only valid during the call. */
@FunctionalInterface
public interface PacketHandler {
    /**
     * @param number      1-based packet number, as Wireshark counts
     * @param timeNs      capture time, ns since the epoch
     * @param linkType    LINKTYPE_ value of the interface it was captured on
     * @param interfaceId interface index within its pcapng section (0 for classic pcap)
     * @param data        big-endian buffer holding the packet at absolute index {@code offset}
     * @param captured    bytes present (after snaplen)
     * @param original    length on the wire
     * @param fileOffset  byte offset of the packet's record in the file
     */
    void onPacket(long number, long timeNs, int linkType, int interfaceId, ByteBuffer data, int offset, int captured,
                  int original, long fileOffset);
}
