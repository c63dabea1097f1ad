package io.twlab.net;

/** IPv4 addresses as ints (network order in value: a.b.c.d = a<<24|b<<16|c<<8|d). */
public final class Ipv4 {
    private Ipv4() {
    }

    /** Parses dotted-quad notation; returns -1 shifted into a long when invalid so callers can report it. */
    public static long parse(String s) {
        String[] parts = s.trim().split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return -1;
            }
            int octet = Integer.parseInt(p);
            if (octet > 255) {
                return -1;
            }
            v = (v << 8) | octet;
        }
        return v;
    }

    public static String format(int ip) {
        return ((ip >>> 24) & 0xff) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
    }
}
