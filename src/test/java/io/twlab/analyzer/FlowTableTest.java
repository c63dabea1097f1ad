package io.twlab.analyzer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class FlowTableTest {
    /** Tuples that differ in one field each: the table must tell them apart even where hashes could collide. */
    @Test
    void findsEachFlowFromBothDirectionsAndNoOther() {
        SplittableRandom random = new SplittableRandom(7);
        FlowTable table = new FlowTable();
        List<Flow> added = new ArrayList<>();
        Set<String> tuples = new HashSet<>();
        // 50,000 flows: the table starts at 4,096 slots, so it grows several times while they go in.
        while (added.size() < 50_000) {
            long clientLo = 0x0A000000L + random.nextInt(256);      // 256 clients behind one /24
            int clientPort = 1024 + random.nextInt(64512);
            long serverLo = 0xC0A80001L + random.nextInt(2);        // two servers
            int serverPort = random.nextBoolean() ? 443 : 80;
            long hi = random.nextInt(10) == 0 ? 0x20010DB800000000L : 0; // some "IPv6" high halves
            if (!tuples.add(hi + "/" + clientLo + ":" + clientPort + ">" + serverLo + ":" + serverPort)) {
                continue;
            }
            Flow f = new Flow(hi, clientLo, clientPort, hi, serverLo, serverPort);
            table.add(FlowTable.hash(hi, clientLo, clientPort, hi, serverLo, serverPort), f);
            added.add(f);
        }
        assertThat(table.size()).isEqualTo(50_000);
        for (Flow f : added) {
            int forward = FlowTable.hash(f.clientHi, f.clientLo, f.clientPort, f.serverHi, f.serverLo, f.serverPort);
            int reverse = FlowTable.hash(f.serverHi, f.serverLo, f.serverPort, f.clientHi, f.clientLo, f.clientPort);
            assertThat(reverse).isEqualTo(forward);
            assertThat(table.find(forward, f.clientHi, f.clientLo, f.clientPort, f.serverHi, f.serverLo,
                    f.serverPort)).isSameAs(f);
            assertThat(table.find(reverse, f.serverHi, f.serverLo, f.serverPort, f.clientHi, f.clientLo,
                    f.clientPort)).isSameAs(f);
        }
        // Swapping only the ports (client port on the server side) is another tuple: not found.
        int absent = 0;
        for (Flow f : added.subList(0, 1000)) {
            String swapped = f.clientHi + "/" + f.clientLo + ":" + f.serverPort + ">" + f.serverLo + ":" + f.clientPort;
            if (tuples.contains(swapped)) {
                continue;
            }
            int h = FlowTable.hash(f.clientHi, f.clientLo, f.serverPort, f.serverHi, f.serverLo, f.clientPort);
            assertThat(table.find(h, f.clientHi, f.clientLo, f.serverPort, f.serverHi, f.serverLo, f.clientPort))
                    .isNull();
            absent++;
        }
        assertThat(absent).isGreaterThan(900);
        Set<Flow> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        int[] visits = new int[1];
        table.forEach(f -> {
            visited.add(f);
            visits[0]++;
        });
        assertThat(visits[0]).isEqualTo(50_000);
        assertThat(visited).hasSize(50_000);
        assertThat(added).allMatch(visited::contains);
    }
}
