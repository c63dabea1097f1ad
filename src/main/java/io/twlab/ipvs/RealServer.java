package io.twlab.ipvs;

/** A real server of a virtual service, with the counters `ipvsadm -Ln --stats` shows for it. */
public final class RealServer {
    final String name;
    final int ip;
    final int port;
    int weight;
    long conns;
    long inPkts;
    long outPkts;
    int activeConns;
    int inactConns;

    public RealServer(String name, int ip, int port, int weight) {
        this.name = name;
        this.ip = ip;
        this.port = port;
        this.weight = weight;
    }

    public String name() {
        return name;
    }

    public int ip() {
        return ip;
    }

    public int weight() {
        return weight;
    }

    /** ipvsadm -e ... -w: new connections follow the new weight; 0 quiesces the server. */
    public void setWeight(int weight) {
        this.weight = weight;
    }

    /** Connections scheduled to this server (a reused, not rescheduled entry does not count). */
    public long conns() {
        return conns;
    }

    public long inPkts() {
        return inPkts;
    }

    public long outPkts() {
        return outPkts;
    }

    public int activeConns() {
        return activeConns;
    }

    public int inactConns() {
        return inactConns;
    }
}
