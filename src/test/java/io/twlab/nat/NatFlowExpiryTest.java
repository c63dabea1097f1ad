package io.twlab.nat;

import io.twlab.engine.Simulator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The table's expiry calendar: {@code removeExpired(now)} must drop exactly the mappings whose timeout has passed,
 * as a walk of the whole table would, whatever their timeouts did since they were filed.
 */
class NatFlowExpiryTest {
    private static final long S = Simulator.NS_PER_SEC;

    private static NatFlow flow(int i) {
        return new NatFlow(0x0a000001, 1024 + i, 0xc6120001, 443, 0xcb007101, 2048 + i);
    }

    private static void expireAt(NatFlowTable t, NatFlow f, long at) {
        f.expiresAt = at;
        t.expiryChanged(f);
    }

    @Test
    void aTimeoutThatShrinksIsDroppedAtItsNewTimeAndOneThatGrowsIsKept() {
        NatFlowTable t = new NatFlowTable();
        NatFlow shrinks = flow(1);
        NatFlow grows = flow(2);
        // Both SYN_SENT at t=0 for 120 s (nf_conntrack_tcp_timeout_syn_sent).
        for (NatFlow f : new NatFlow[] {shrinks, grows}) {
            expireAt(t, f, 120 * S);
            t.insert(f);
        }
        // At 1 s: one is ESTABLISHED (432,000 s), then RST makes it CLOSE (10 s from 2 s: 12 s);
        // the other ESTABLISHED and still so.
        expireAt(t, shrinks, 1 * S + 432_000 * S);
        expireAt(t, shrinks, 12 * S);
        expireAt(t, grows, 1 * S + 432_000 * S);
        t.removeExpired(11 * S + S / 2);
        assertThat(t.size()).isEqualTo(2);
        t.removeExpired(12 * S);
        assertThat(shrinks.gone).isTrue();
        assertThat(t.size()).isEqualTo(1);
        // 120 s: the grown one's first filing comes due; it is refiled, not dropped.
        t.removeExpired(120 * S);
        t.removeExpired(3600 * S);
        assertThat(grows.gone).isFalse();
        assertThat(t.size()).isEqualTo(1);
    }

    /** Random timeouts, changes, kills and sweep times (whole and fractional seconds) against a brute-force walk. */
    @Test
    void agreesWithAWalkOfTheWholeTable() {
        SplittableRandom random = new SplittableRandom(42);
        NatFlowTable t = new NatFlowTable();
        List<NatFlow> live = new ArrayList<>();
        long now = 0;
        int next = 0;
        for (int step = 0; step < 20_000; step++) {
            now += random.nextLong(300_000_000L);
            int op = random.nextInt(10);
            if (op < 4 || live.isEmpty()) {
                NatFlow f = flow(next++);
                expireAt(t, f, now + 1 + random.nextLong(30 * S));
                t.insert(f);
                live.add(f);
            } else if (op < 7) {
                // A packet sets a new timeout from now: shorter or longer than the one before.
                NatFlow f = live.get(random.nextInt(live.size()));
                if (f.expiresAt > now) {
                    expireAt(t, f, now + 1 + random.nextLong(40 * S));
                }
            } else if (op == 7) {
                NatFlow f = live.remove(random.nextInt(live.size()));
                if (!f.gone) {
                    t.remove(f); // early drop or a clash
                }
            } else {
                long at = random.nextBoolean() ? now / S * S : now;
                t.removeExpired(at);
                for (NatFlow f : live) {
                    assertThat(f.gone).as("flow expiring at %d, swept at %d", f.expiresAt, at)
                            .isEqualTo(f.expiresAt <= at);
                }
                live.removeIf(f -> f.gone);
                assertThat(t.size()).isEqualTo(live.size());
            }
        }
    }
}
