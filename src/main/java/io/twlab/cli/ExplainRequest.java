package io.twlab.cli;

import io.twlab.ipvs.IpvsVerdict;
import io.twlab.model.Model;
import io.twlab.nat.NatVerdict;
import io.twlab.net.Explainer;
import io.twlab.net.Ipv4;
import io.twlab.net.NetNode;
import io.twlab.tcp.TcpHost;
import io.twlab.tcp.TcpVerdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** --explain ENDPOINT or a 4-tuple, resolved against the model once it is built. */
record ExplainRequest(String subject, String[] endpoints, int limit, int[] tuple, long fromNs, long toNs) {
    /** --explain-first tells the story from this long before the packet (the longest TIME_WAIT, 112.5 s, fits). */
    static final long BEFORE_FOUND_NS = 150 * io.twlab.engine.Simulator.NS_PER_SEC;
    /** ...and until this long after it (the client's SYN retransmissions and their outcome). */
    static final long AFTER_FOUND_NS = 20 * io.twlab.engine.Simulator.NS_PER_SEC;


    static ExplainRequest parse(String text, int limit) {
        String[] ends = text.split(",", -1);
        if (ends.length > 2 || Stream.of(ends).anyMatch(e -> e.lastIndexOf(':') <= 0)) {
            throw usage(text);
        }
        return new ExplainRequest(text, ends, limit, null, 0, Long.MAX_VALUE);
    }

    /** The tuple of the packet found at {@code atNs}, told from 150 s before it to 20 s after. */
    static ExplainRequest found(int[] tuple, long atNs, int limit, String why) {
        long from = Math.max(0, atNs - BEFORE_FOUND_NS);
        String subject = String.format(Locale.ROOT, "%s at %.6f s: %s:%d,%s:%d, from %.0f s to %.0f s", why,
                atNs / 1e9, Ipv4.format(tuple[0]), tuple[1], Ipv4.format(tuple[2]), tuple[3], from / 1e9,
                (atNs + AFTER_FOUND_NS) / 1e9);
        return new ExplainRequest(subject, null, limit, tuple, from, atNs + AFTER_FOUND_NS);
    }

    Explainer explainer(Model model) {
        if (tuple != null) {
            return Explainer.following(tuple[0], tuple[1], tuple[2], tuple[3], limit, fromNs, toNs);
        }
        long[] a = endpoint(model, endpoints[0]);
        if (endpoints.length == 1) {
            return Explainer.following((int) a[0], (int) a[1], limit);
        }
        long[] b = endpoint(model, endpoints[1]);
        if (a[1] == 0 || b[1] == 0) {
            throw new UsageException("--explain " + subject + ": a 4-tuple needs both ports");
        }
        return Explainer.following((int) a[0], (int) a[1], (int) b[0], (int) b[1], limit, 0, Long.MAX_VALUE);
    }

    /** {address, port}: HOST is an IPv4 address, an element with one address, or one host of a group. */
    private long[] endpoint(Model model, String text) {
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        long port;
        if (portText.equals("*")) {
            port = 0;
        } else {
            try {
                port = Long.parseLong(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw usage(subject);
            }
        }
        long ip = Ipv4.parse(host);
        if (ip < 0) {
            ip = address(model, host);
        }
        return new long[] {ip, port};
    }

    private long address(Model model, String name) {
        List<NetNode> nodes = model.elements().get(name);
        if (nodes != null && nodes.size() == 1 && nodes.get(0).ownedAddresses().length > 0) {
            return nodes.get(0).ownedAddresses()[0] & 0xffffffffL;
        }
        for (TcpHost h : model.hosts()) {
            if (h.name().equals(name)) {
                return h.ip() & 0xffffffffL;
            }
        }
        List<String> names = new ArrayList<>(model.elements().keySet());
        String group = nodes != null ? "; " + name + " is a group of " + nodes.size() + " hosts, name one, e.g. "
                + nodes.get(0).name() : "";
        throw new UsageException("--explain " + subject + ": '" + name + "' is no IPv4 address nor a single element"
                + group + "; elements: " + String.join(", ", names));
    }

    private static UsageException usage(String text) {
        return new UsageException("--explain " + text + ": expected HOST:PORT (PORT 1-65535 or *) or a 4-tuple "
                + "A:P,B:Q, where HOST is an IPv4 address or an element name, e.g. --explain nginx:443 or "
                + "--explain 10.0.0.1:40000,192.168.1.10:443");
    }

    static String verdictNames() {
        List<String> names = new ArrayList<>();
        Stream.of(TcpVerdict.values(), NatVerdict.values(), IpvsVerdict.values()).flatMap(Stream::of)
                .filter(io.twlab.net.Verdict::drop)
                .forEach(v -> names.add(v.name().toLowerCase(Locale.ROOT).replace('_', '-')));
        return String.join(", ", names);
    }

    static String toText(Explainer e, String subject) {
        StringBuilder sb = new StringBuilder("Story of " + subject + " (" + e.lines().size() + " lines)\n");
        for (Explainer.Line l : e.lines()) {
            sb.append(l.text()).append('\n');
        }
        if (e.omitted() > 0) {
            sb.append(String.format(Locale.ROOT, "... %,d more lines (raise --explain-limit)%n", e.omitted()));
        }
        return sb.append('\n').toString();
    }

    static Map<String, Object> toJson(Explainer e, String subject) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subject", subject);
        List<Object> lines = new ArrayList<>();
        for (Explainer.Line l : e.lines()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("timeSeconds", l.timeNs() / 1e9);
            o.put("element", l.element());
            o.put("event", l.event());
            o.put("packet", l.packet());
            o.put("verdict", l.verdict());
            o.put("kernelFunction", l.function());
            o.put("stateBefore", l.stateBefore());
            o.put("stateAfter", l.stateAfter());
            lines.add(o);
        }
        m.put("lines", lines);
        m.put("omitted", e.omitted());
        return m;
    }
}
