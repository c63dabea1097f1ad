package io.twlab.ipvs;

import io.twlab.kernel.JiffyClock;
import io.twlab.engine.Simulator;
import io.twlab.net.TupleTable;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;

import java.util.ArrayList;

/**
 * The director's connection table (ip_vs_conn.c): entries found by the client tuple (ip_vs_conn_in_get) and by the
 * real-server side tuple (ip_vs_conn_out_get), the active/inactive accounting of each state change, and expiry.
 * An entry past its timeout is removed when a lookup finds it or by the once-a-second sweep, whichever comes
 * first, so ActiveConn/InActConn read as ipvsadm would show them.
 */
final class IpvsConnectionTable {
    private final Simulator sim;
    private final IpvsTimeouts timeouts;
    /** The director kernel's jiffies and wheel: when an entry's timer, armed now, fires. */
    private final JiffyClock clock;
    private final TupleTable<IpvsConnection> byClient = new TupleTable<>();
    private final TupleTable<IpvsConnection> byServer = new TupleTable<>();
    /** Entries filed by the whole second in which they are due to expire; stale filings are skipped. */
    private final Long2ObjectOpenHashMap<ArrayList<IpvsConnection>> dueBySecond = new Long2ObjectOpenHashMap<>();
    private long nextSweepSecond = -1;

    IpvsConnectionTable(Simulator sim, IpvsTimeouts timeouts, JiffyClock clock) {
        this.clock = clock;
        this.sim = sim;
        this.timeouts = timeouts;
    }

    int size() {
        return byClient.size();
    }

    /** The live entry of a client tuple toward a virtual service, or null. */
    IpvsConnection fromClient(int clientIp, int clientPort, VirtualService svc) {
        return live(byClient.get(TupleTable.key1(clientIp, clientPort, svc.port), svc.vip & 0xffffffffL));
    }

    /** The same lookup without expiring what it finds (what --explain reads after the verdict). */
    IpvsConnection peekFromClient(int clientIp, int clientPort, VirtualService svc) {
        IpvsConnection c = byClient.get(TupleTable.key1(clientIp, clientPort, svc.port), svc.vip & 0xffffffffL);
        return c == null || c.expired ? null : c;
    }

    /** The live entry a real server's packet belongs to: source = the server, destination = the side tuple. */
    IpvsConnection fromServer(int serverIp, int serverPort, int sideIp, int sidePort) {
        return live(byServer.get(TupleTable.key1(serverIp, serverPort, sidePort), sideIp & 0xffffffffL));
    }

    /**
     * A new entry enters the table: ip_vs_bind_dest() counts it active (the first state change moves it to
     * inactive), Conns counts a scheduled connection.
     */
    void bind(IpvsConnection c) {
        c.server.activeConns++;
        c.server.conns++;
        c.service.conns++;
        byClient.put(TupleTable.key1(c.clientIp, c.clientPort, c.service.port), c.service.vip & 0xffffffffL, c);
        byServer.put(TupleTable.key1(c.server.ip, c.server.port, c.serverSidePort), c.serverSideIp & 0xffffffffL, c);
    }

    /** set_tcp_state() (ip_vs_proto_tcp.c): the next state for this segment, and that state's timeout from now. */
    void transition(IpvsConnection c, IpvsTcpState.Direction direction, boolean rst, boolean syn, boolean fin,
                    boolean ack) {
        IpvsTcpState next = c.state.next(direction, IpvsTcpState.event(rst, syn, fin, ack));
        moveTo(c, next, expiry(timeouts.of(next)));
    }

    /** When a timer armed now for {@code timeoutNs} fires: mod_timer(jiffies + timeout) (ip_vs_conn.c). */
    long expiry(long timeoutNs) {
        return clock.expiry(sim.now(), timeoutNs);
    }

    /** Moves an entry to a state: inactive unless ESTABLISHED (IP_VS_CONN_F_INACTIVE), expiring at {@code expiresAt}. */
    void moveTo(IpvsConnection c, IpvsTcpState next, long expiresAt) {
        if (next != c.state) {
            RealServer rs = c.server;
            if (!c.inactive && next != IpvsTcpState.ESTABLISHED) {
                rs.activeConns--;
                rs.inactConns++;
                c.inactive = true;
            } else if (c.inactive && next == IpvsTcpState.ESTABLISHED) {
                rs.activeConns++;
                rs.inactConns--;
                c.inactive = false;
            }
        }
        c.state = next;
        c.expiresAt = expiresAt;
        fileForExpiry(c);
    }

    private void fileForExpiry(IpvsConnection c) {
        if (c.expiresAt == Long.MAX_VALUE) {
            return;
        }
        long second = Math.floorDiv(c.expiresAt + Simulator.NS_PER_SEC - 1, Simulator.NS_PER_SEC);
        if (second == c.filedSecond) {
            return;
        }
        c.filedSecond = second;
        ArrayList<IpvsConnection> due = dueBySecond.get(second);
        if (due == null) {
            due = new ArrayList<>();
            dueBySecond.put(second, due);
        }
        due.add(c);
    }

    private IpvsConnection live(IpvsConnection c) {
        if (c != null && c.expiresAt <= sim.now()) {
            expire(c);
            return null;
        }
        return c;
    }

    /** ip_vs_conn_expire(): the entry leaves both lookups and its real server's counts. */
    void expire(IpvsConnection c) {
        c.expired = true;
        byClient.remove(TupleTable.key1(c.clientIp, c.clientPort, c.service.port), c.service.vip & 0xffffffffL);
        byServer.remove(TupleTable.key1(c.server.ip, c.server.port, c.serverSidePort), c.serverSideIp & 0xffffffffL);
        if (c.inactive) {
            c.server.inactConns--;
        } else {
            c.server.activeConns--;
        }
    }

    /** Expires every entry filed under a whole second up to now whose timeout has passed. */
    void sweep() {
        long now = sim.now();
        long second = now / Simulator.NS_PER_SEC;
        for (long s = nextSweepSecond < 0 ? second : nextSweepSecond; s <= second; s++) {
            ArrayList<IpvsConnection> due = dueBySecond.remove(s);
            if (due == null) {
                continue;
            }
            for (IpvsConnection c : due) {
                // Only the entry's current filing counts, and only if it is still in the table.
                if (c.filedSecond == s && c.expiresAt <= now && !c.expired) {
                    expire(c);
                }
            }
        }
        nextSweepSecond = second + 1;
    }
}
