package io.twlab.ipvs;

/**
 * IPVS connection states and their transitions (net/netfilter/ipvs/ip_vs_proto_tcp.c, tcp_states[] used by
 * set_tcp_state()). The next state depends on the direction (input: client to real server; output: the real
 * server's replies, seen in NAT mode; input-only: DR/TUN, where replies bypass the director), on the segment's
 * first flag among RST, SYN, FIN, ACK, and on the current state.
 */
public enum IpvsTcpState {
    NONE, ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, SYNACK;

    /** Which way a packet crosses the director. */
    public enum Direction { INPUT, OUTPUT, INPUT_ONLY }

    private static final IpvsTcpState[] ALL = values();

    // One row per (direction, event); the letters give the next state for each current state, in enum order
    // (NONE, ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, SYNACK).
    // Codes: n NONE, e ESTABLISHED, s SYN_SENT, r SYN_RECV, f FIN_WAIT, t TIME_WAIT, c CLOSE, w CLOSE_WAIT,
    // l LAST_ACK, i LISTEN, a SYNACK. Events in order syn, fin, ack, rst.
    private static final String[][] NEXT = {
            {"reerrrrrrrr", "cwstttcwlit", "ceseftcwcie", "cccrcccclir"},
            {"sesrsssssir", "tfstftctlit", "eeseftcwlee", "ccscctccccc"},
            {"reerrrrrrrr", "cfstftcwlit", "ceseftcwcie", "cccrcccclic"}};

    static {
        for (String[] direction : NEXT) {
            for (String row : direction) {
                if (row.length() != ALL.length) {
                    throw new ExceptionInInitializerError("IPVS state row " + row + " has " + row.length() + " codes");
                }
            }
        }
    }

    private static IpvsTcpState decode(char c) {
        return switch (c) {
            case 'n' -> NONE;
            case 'e' -> ESTABLISHED;
            case 's' -> SYN_SENT;
            case 'r' -> SYN_RECV;
            case 'f' -> FIN_WAIT;
            case 't' -> TIME_WAIT;
            case 'c' -> CLOSE;
            case 'w' -> CLOSE_WAIT;
            case 'l' -> LAST_ACK;
            case 'i' -> LISTEN;
            case 'a' -> SYNACK;
            default -> throw new IllegalArgumentException("state code " + c);
        };
    }

    /** Event index of a segment: RST wins, then SYN, FIN, ACK (tcp_state_idx); -1 for none of them. */
    public static int event(boolean rst, boolean syn, boolean fin, boolean ack) {
        return rst ? 3 : syn ? 0 : fin ? 1 : ack ? 2 : -1;
    }

    /** The state after a segment with event {@code event} in {@code direction}; CLOSE for no flag at all. */
    public IpvsTcpState next(Direction direction, int event) {
        if (event < 0) {
            return CLOSE;
        }
        return decode(NEXT[direction.ordinal()][event].charAt(ordinal()));
    }

    /** TIME_WAIT or CLOSE: the states in which a new SYN is a new connection (is_new_conn_expected). */
    public boolean closed() {
        return this == TIME_WAIT || this == CLOSE;
    }
}
