package io.twlab.conform;

import java.util.List;

/**
 * A conformance script in packetdrill's syntax, parsed: its header annotations and its events in time order.
 *
 * @param file       where it was read from (for messages)
 * @param passesOn   the profiles the script is annotated to pass on ({@code // kernels:}); empty: all
 * @param differs    what the script expects to differ on the other profiles ({@code // differs:}), free text
 * @param sysctls    {@code sysctl -w NAME=VALUE} commands, applied before the host is built
 * @param events     packets in, packets out and system calls
 */
public record Script(String file, List<String> passesOn, String differs, List<Sysctl> sysctls, List<Event> events) {

    public record Sysctl(int line, String name, String value) {
    }

    /** One timed line of the script. {@code timeNs} is absolute; {@code toleranceNs} the accepted lateness. */
    public sealed interface Event permits Inbound, Outbound, Syscall {
        int line();

        long timeNs();

        /** The end of a time range ({@code 1.0~1.2}); equal to {@link #timeNs} for a single time. */
        long latestNs();

        String text();
    }

    /**
     * A segment line. Sequence numbers follow packetdrill: the remote side's are absolute (the script chooses its
     * ISN), the host's are relative to the host's ISN on the connection.
     *
     * @param flags     Packet flag bits
     * @param seq       start sequence number
     * @param length    payload length
     * @param ack       the ack field, or null when the line has none
     * @param window    the window, or null when unchecked
     * @param options   the options, or null for none written or {@code <...>} (unchecked)
     */
    public record Segment(int flags, long seq, int length, Long ack, Integer window, Options options) {
    }

    /** TCP options as written; null fields were not written. */
    public record Options(Integer mss, Integer windowScale, boolean sackOk, Long tsVal, Long tsEcr) {
        boolean hasTimestamp() {
            return tsVal != null;
        }
    }

    public record Inbound(int line, long timeNs, long latestNs, String text, Segment segment) implements Event {
    }

    public record Outbound(int line, long timeNs, long latestNs, String text, Segment segment) implements Event {
    }

    /**
     * A system call and its expected result: {@code ret} and, for -1, the errno name.
     *
     * @param name   socket, bind, listen, accept, connect, write, read, close, setsockopt, getsockopt, fcntl
     * @param args   the arguments as written ("..." for elided ones)
     */
    public record Syscall(int line, long timeNs, long latestNs, String text, String name, List<String> args,
                          long ret, String errno) implements Event {
    }
}
