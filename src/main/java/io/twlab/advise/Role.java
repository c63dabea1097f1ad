package io.twlab.advise;

/** What a host does on the path, as its files show it (or --role says). */
public enum Role {
    CLIENT, NAT, DIRECTOR, SERVER, UNKNOWN;

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Role of(String key) {
        for (Role r : values()) {
            if (r.key().equals(key)) {
                return r;
            }
        }
        return null;
    }
}
