package io.twlab.tcp;

import io.twlab.net.Packet;

/** tcp_v4_rcv()'s do_time_wait: acts on the {@link TimeWaitProcessor}'s decision. */
final class TimeWaitInput {
    private final TcpHost host;
    private final TimeWaitProcessor processor;

    TimeWaitInput(TcpHost host, TimeWaitProcessor processor) {
        this.host = host;
        this.processor = processor;
    }

    TcpVerdict input(int tw, Packet p) {
        long now = host.sim.now();
        TimeWaitVerdict action = processor.process(tw, p, now, host.clock.seconds(now), host.clock.millis(now));
        switch (action) {
            case SYN -> {
                if (host.listeners.containsKey(p.dstPort)) {
                    int isn = processor.acceptedIsn();
                    host.timeWait.remove(tw, false, now);
                    return host.listenInput.input(p, isn);
                }
                host.output.timeWaitAck(tw, p);
                return TcpVerdict.TW_SYN_NO_LISTENER;
            }
            case ACK -> host.output.timeWaitAck(tw, p);
            case RST -> {
                host.output.sendReset(p);
                host.timeWait.remove(tw, false, now);
            }
            case SUCCESS -> {
            }
        }
        return processor.reason();
    }
}
