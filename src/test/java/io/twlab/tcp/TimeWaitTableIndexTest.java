package io.twlab.tcp;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TIME_WAIT table's own open-addressed index (issue 15: 4 bytes a cell instead of a boxed-free map's 12) under
 * churn: random admissions and removals over a small key space, so probe runs collide, wrap and get shifted back on
 * removal, checked step by step against a plain map of the same operations.
 */
class TimeWaitTableIndexTest {
    @Test
    void findAgreesWithAReferenceMapThroughGrowthAndRemovals() {
        TimeWaitTable t = new TimeWaitTable();
        Map<Long, Integer> reference = new HashMap<>();
        SplittableRandom random = new SplittableRandom(42);
        for (int step = 0; step < 200_000; step++) {
            // 5,000 keys sharing one remote address: ports differ, as the tuples of one NAT address do.
            long key = (0xC6120001L << 32) | random.nextInt(5000);
            Integer slot = reference.get(key);
            if (slot == null) {
                int s = t.allocate(key, step);
                reference.put(key, s);
            } else if (random.nextInt(3) > 0) {
                t.remove(slot, true, step);
                reference.remove(key);
            }
            if (step % 997 == 0) {
                for (long k = 0; k < 5000; k++) {
                    long probe = (0xC6120001L << 32) | k;
                    assertThat(t.find(probe)).as("key %d at step %d", k, step)
                            .isEqualTo(reference.getOrDefault(probe, -1));
                }
            }
        }
        assertThat(t.count()).isEqualTo(reference.size());
        // A key never admitted is not found, even with a full probe run around it.
        assertThat(t.find(0x0A000001_0000_0050L)).isEqualTo(-1);
    }
}
