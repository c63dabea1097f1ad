package io.twlab.trace;

import io.twlab.net.Packet;

/**
 * Which packets a capture keeps: optionally one TCP port (either side), one host address (either side), and a time
 * window [fromNs, toNs) - what `tcpdump port P and host H` plus a start/stop would keep.
 */
public record CaptureFilter(int port, int host, boolean hasHost, long fromNs, long toNs) {
    public static final CaptureFilter ALL = new CaptureFilter(0, 0, false, 0, Long.MAX_VALUE);

    public boolean accepts(long timeNs, Packet p) {
        if (timeNs < fromNs || timeNs >= toNs) {
            return false;
        }
        if (port != 0 && p.srcPort != port && p.dstPort != port) {
            return false;
        }
        return !hasHost || p.srcIp == host || p.dstIp == host;
    }
}
