package io.twlab.net;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Fills every node's routing table with the first hop of a shortest path to each owned address. */
public final class Routing {
    private Routing() {
    }

    public static void build(List<? extends NetNode> nodes) {
        for (NetNode dest : nodes) {
            // Breadth-first search from the destination: the link by which a node was reached leads towards it.
            Map<NetNode, Link> towards = new HashMap<>();
            ArrayDeque<NetNode> queue = new ArrayDeque<>();
            queue.add(dest);
            towards.put(dest, null);
            while (!queue.isEmpty()) {
                NetNode n = queue.poll();
                for (Link l : n.links()) {
                    NetNode next = l.other(n);
                    if (!towards.containsKey(next)) {
                        towards.put(next, l);
                        queue.add(next);
                    }
                }
            }
            for (NetNode n : nodes) {
                Link via = towards.get(n);
                if (n != dest && via != null) {
                    for (int ip : dest.ownedAddresses()) {
                        n.addRoute(ip, via);
                    }
                }
            }
        }
    }
}
