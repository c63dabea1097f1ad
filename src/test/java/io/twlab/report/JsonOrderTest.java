package io.twlab.report;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Output files must be byte-identical from one JVM to the next: a Map.of or HashMap (whose iteration order is salted
 * per JVM) is written sorted by key, an insertion-ordered map as built. Found when a finding's two facts came out
 * in either order in two runs of scenarios/nat-insert-race.yaml.
 */
class JsonOrderTest {
    @Test
    void unorderedMapsAreWrittenByKey() {
        Map<String, Object> facts = new HashMap<>();
        for (String k : new String[] {"zeta", "insertFailed", "cpus", "alpha"}) {
            facts.put(k, 1);
        }
        assertThat(Json.writeCompact(facts)).isEqualTo("{\"alpha\":1,\"cpus\":1,\"insertFailed\":1,\"zeta\":1}");
        assertThat(Json.writeCompact(Map.of("b", 2, "a", 1))).isEqualTo("{\"a\":1,\"b\":2}");
    }

    @Test
    void insertionOrderedMapsKeepTheirOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", 2);
        m.put("a", 1);
        assertThat(Json.writeCompact(m)).isEqualTo("{\"b\":2,\"a\":1}");
    }
}
