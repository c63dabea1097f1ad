package io.twlab.kernel;

/** The SNMP counter a PAWS reject at a TIME_WAIT socket bumps in tcp_timewait_state_process(). */
public enum PawsCounter {
    /** LINUX_MIB_PAWSESTABREJECTED, nstat TcpExtPAWSEstab: every kernel up to 6.15. */
    PAWS_ESTAB,
    /** LINUX_MIB_PAWS_TW_REJECTED, nstat TcpExtPAWSTimewait: 6.16+. */
    PAWS_TIMEWAIT
}
