package io.twlab.model;

import io.twlab.net.Link;
import io.twlab.net.Packet;

import java.util.ArrayList;
import java.util.List;

/** Test helper: records the packets put on the links between two named elements, copying their fields. */
public final class Capture {
    /** A packet as seen on the wire at {@code timeNs}. */
    public record Seen(long timeNs, String from, String to, int srcIp, int dstIp, int flags, int srcPort, int dstPort, int seq, int ack,
                       boolean hasTs, int tsVal, int tsEcr, int length, boolean lost) {
        public boolean is(int wanted) {
            return flags == wanted;
        }

        public boolean has(int flag) {
            return (flags & flag) != 0;
        }

        public double seconds() {
            return timeNs / 1e9;
        }
    }

    public final List<Seen> packets = new ArrayList<>();

    public static Capture attach(Model model, String nodeA, String nodeB) {
        Capture c = new Capture();
        for (Link l : model.links()) {
            String a = l.a().name();
            String b = l.b().name();
            if ((a.startsWith(nodeA) && b.startsWith(nodeB)) || (a.startsWith(nodeB) && b.startsWith(nodeA))) {
                l.setObserver((t, from, to, p, lost) -> c.packets.add(copy(t, from.name(), to.name(), p, lost)));
            }
        }
        return c;
    }

    private static Seen copy(long t, String from, String to, Packet p, boolean lost) {
        return new Seen(t, from, to, p.srcIp, p.dstIp, p.flags, p.srcPort, p.dstPort, p.seq, p.ack, p.hasTimestamp, p.tsVal, p.tsEcr,
                p.payloadLength, lost);
    }

    /** Builds the model, attaches the capture, runs it. */
    public static RunResult run(io.twlab.scenario.ScenarioSpec spec, String nodeA, String nodeB, Capture[] out) {
        Model model = ModelBuilder.build(spec);
        out[0] = attach(model, nodeA, nodeB);
        SeriesRecorder recorder = new SeriesRecorder(model);
        recorder.start();
        model.workloads().forEach(io.twlab.workload.ClientWorkload::start);
        model.sim().runUntil(spec.durationNs(), null);
        return new RunResult(model, recorder.table(), model.sim().eventsProcessed());
    }
}
