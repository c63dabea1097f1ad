package io.twlab.tcp;

/** One host's counters as a primitive array indexed by {@link Counter#ordinal()}. */
public final class Counters {
    private static final Counter[] ALL = Counter.values();
    private final long[] values = new long[ALL.length];

    public void inc(Counter c) {
        values[c.ordinal()]++;
    }

    public void add(Counter c, long n) {
        values[c.ordinal()] += n;
    }

    public long get(Counter c) {
        return values[c.ordinal()];
    }

    public long[] snapshot() {
        return values.clone();
    }

    /** Lines as {@code nstat -a} prints them, counters that are zero left out (as nstat does). */
    public String toNstat() {
        StringBuilder sb = new StringBuilder();
        for (Counter c : ALL) {
            long v = values[c.ordinal()];
            if (v != 0) {
                sb.append(String.format("%-32s %d%n", c.nstatName(), v));
            }
        }
        return sb.toString();
    }

    /** Lines as {@code netstat -s} prints them under its Tcp: and TcpExt: headings. */
    public String toNetstat() {
        StringBuilder tcp = new StringBuilder("Tcp:\n");
        StringBuilder ext = new StringBuilder("TcpExt:\n");
        for (Counter c : ALL) {
            long v = values[c.ordinal()];
            if (v == 0) {
                continue;
            }
            StringBuilder target = c.group().equals("Tcp") ? tcp : ext;
            if (c.netstatText().equals(c.name())) {
                target.append("    ").append(c.name()).append(": ").append(v).append('\n');
            } else {
                target.append("    ").append(v).append(' ').append(c.netstatText()).append('\n');
            }
        }
        return tcp.append(ext).toString();
    }
}
