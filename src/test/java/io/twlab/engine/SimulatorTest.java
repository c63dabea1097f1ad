package io.twlab.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatorTest {
    @Test
    void eventsRunInTimeOrderAndFifoWithinAnInstant() {
        Simulator sim = new Simulator();
        List<String> seen = new ArrayList<>();
        EventHandler h = (s, kind, arg, payload) -> seen.add(s.now() + ":" + payload);
        // 2000 events at shuffled times with many ties; ties must come out in scheduling order.
        SplittableRandom r = new SplittableRandom(7);
        List<long[]> scheduled = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            long t = r.nextInt(50);
            scheduled.add(new long[] {t, i});
            sim.at(t, h, 0, 0, i);
        }
        sim.runUntil(1000, null);
        scheduled.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        List<String> expected = scheduled.stream().map(a -> a[0] + ":" + a[1]).toList();
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void runUntilStopsAtTheEndTimeAndKeepsLaterEvents() {
        Simulator sim = new Simulator();
        List<Long> seen = new ArrayList<>();
        EventHandler h = (s, kind, arg, payload) -> seen.add(s.now());
        sim.at(10, h, 0, 0, null);
        sim.at(20, h, 0, 0, null);
        sim.at(30, h, 0, 0, null);
        sim.runUntil(20, null);
        assertThat(seen).containsExactly(10L, 20L);
        assertThat(sim.now()).isEqualTo(20);
        assertThat(sim.pendingEvents()).isEqualTo(1);
        sim.runUntil(100, null);
        assertThat(seen).containsExactly(10L, 20L, 30L);
        assertThat(sim.now()).isEqualTo(100);
    }

    @Test
    void schedulingInThePastIsAnError() {
        Simulator sim = new Simulator();
        sim.runUntil(50, null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sim.at(10, (s, k, a, p) -> { }, 0, 0, null))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void randomStreamsAreIndependentOfEachOther() {
        RandomStreams a = new RandomStreams(42);
        long first = a.stream("host/nginx").nextLong();
        RandomStreams b = new RandomStreams(42);
        b.stream("host/partner-9").nextLong(); // another component drawing first changes nothing
        assertThat(b.stream("host/nginx").nextLong()).isEqualTo(first);
        assertThat(new RandomStreams(43).stream("host/nginx").nextLong()).isNotEqualTo(first);
    }
}
