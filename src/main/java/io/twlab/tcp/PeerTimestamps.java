package io.twlab.tcp;

import io.twlab.net.Packet;
import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;

/**
 * tw_recycle's per-peer timestamp memory: the newest ts_recent per remote address and its seconds stamp,
 * kept in inet_peer (2.6.32, net/ipv4/inetpeer.c) or tcp_metrics (3.x, net/ipv4/tcp_metrics.c).
 */
final class PeerTimestamps {
    private final TcpHost host;
    private final Int2LongOpenHashMap tsByPeer = new Int2LongOpenHashMap();
    private final Int2LongOpenHashMap stampByPeer = new Int2LongOpenHashMap();

    PeerTimestamps(TcpHost host) {
        this.host = host;
        stampByPeer.defaultReturnValue(Long.MIN_VALUE);
    }

    /**
     * The SYN check of tcp_v4_conn_request (2.6.32) / tcp_peer_is_proven (3.x): within TCP_PAWS_MSL of the
     * peer's remembered stamp, a SYN whose TSval is more than one tick (TCP_PAWS_WINDOW) older is dropped
     * silently; from a26552afe894 (~3.17, RHEL 7) a SYN without timestamps is dropped too.
     */
    boolean rejects(Packet p, boolean sawTs, long now) {
        long stamp = stampByPeer.get(p.srcIp);
        if (stamp == Long.MIN_VALUE || host.clock.seconds(now) >= stamp + Paws.MSL_SECONDS) {
            return false;
        }
        if (!sawTs) {
            return host.profile.recycleDropsSynWithoutTs();
        }
        return (int) tsByPeer.get(p.srcIp) - p.tsVal > Paws.ESTABLISHED_WINDOW;
    }

    /** tcp_remember_stamp() at TIME_WAIT entry: keep the peer's newest ts_recent, or a fresher stamp. */
    void remember(TcpConnection c, long now) {
        long stamp = stampByPeer.get(c.remoteIp);
        long nowSec = host.clock.seconds(now);
        if (stamp == Long.MIN_VALUE || (int) tsByPeer.get(c.remoteIp) - c.tsRecent <= 0
                || (nowSec - stamp > Paws.MSL_SECONDS && stamp <= c.tsRecentStamp)) {
            tsByPeer.put(c.remoteIp, c.tsRecent & 0xffffffffL);
            stampByPeer.put(c.remoteIp, c.tsRecentStamp);
        }
    }
}
