package io.twlab.tcp;

/**
 * SNMP/netstat counters of one host, by their kernel names (net/ipv4/proc.c). {@code netstatText} is what
 * net-tools' {@code netstat -s} prints (with its swapped TW/TWKilled labels, kept as they appear).
 */
public enum Counter {
    ActiveOpens("Tcp", "active connection openings"),
    PassiveOpens("Tcp", "passive connection openings"),
    AttemptFails("Tcp", "failed connection attempts"),
    EstabResets("Tcp", "connection resets received"),
    InSegs("Tcp", "segments received"),
    OutSegs("Tcp", "segments sent out"),
    RetransSegs("Tcp", "segments retransmitted"),
    OutRsts("Tcp", "resets sent"),
    PAWSPassive("TcpExt", "passive connections rejected because of time stamp"),
    PAWSActive("TcpExt", "active connections rejected because of time stamp"),
    PAWSEstab("TcpExt", "packets rejects in established connections because of timestamp"),
    PAWSTimewait("TcpExt", "packets rejected in TIME_WAIT because of timestamp"),
    TW("TcpExt", "TCP sockets finished time wait in fast timer"),
    TWRecycled("TcpExt", "time wait sockets recycled by time stamp"),
    TWKilled("TcpExt", "TCP sockets finished time wait in slow timer"),
    DelayedACKs("TcpExt", "delayed acks sent"),
    ListenDrops("TcpExt", "SYNs to LISTEN sockets dropped"),
    TCPTimeWaitOverflow("TcpExt", "TCPTimeWaitOverflow"),
    TCPACKSkippedTimeWait("TcpExt", "TCPACKSkippedTimeWait"),
    TCPACKSkippedFinWait2("TcpExt", "TCPACKSkippedFinWait2"),
    TCPChallengeACK("TcpExt", "TCPChallengeACK"),
    TCPSynRetrans("TcpExt", "TCPSynRetrans"),
    TCPTimeouts("TcpExt", "other TCP timeouts"),
    TCPAbortOnTimeout("TcpExt", "connections aborted due to timeout"),
    TCPAbortOnClose("TcpExt", "connections reset due to early user close"),
    TCPAbortOnSyn("TcpExt", "connections reset due to unexpected SYN");

    private final String group;
    private final String netstatText;

    Counter(String group, String netstatText) {
        this.group = group;
        this.netstatText = netstatText;
    }

    public String group() {
        return group;
    }

    /** The name nstat prints, e.g. TcpExtPAWSEstab. */
    public String nstatName() {
        return group + name();
    }

    public String netstatText() {
        return netstatText;
    }
}
