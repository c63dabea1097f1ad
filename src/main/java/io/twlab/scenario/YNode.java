package io.twlab.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A YAML tree that keeps the location of every node, so errors (and overrides) point at the source. */
public abstract sealed class YNode permits YNode.YMap, YNode.YList, YNode.YScalar {
    private final Location location;

    YNode(Location location) {
        this.location = location;
    }

    public Location location() {
        return location;
    }

    abstract String kind();

    /** A mapping with string keys in source order. */
    public static final class YMap extends YNode {
        final LinkedHashMap<String, YNode> entries = new LinkedHashMap<>();
        final Map<String, Location> keyLocations = new LinkedHashMap<>();

        YMap(Location location) {
            super(location);
        }

        public YNode get(String key) {
            return entries.get(key);
        }

        @Override
        String kind() {
            return "a mapping";
        }
    }

    public static final class YList extends YNode {
        final List<YNode> items = new ArrayList<>();

        YList(Location location) {
            super(location);
        }

        @Override
        String kind() {
            return "a list";
        }
    }

    /** A scalar's text; {@code plain} when unquoted (so it may be a number, a boolean or null). */
    public static final class YScalar extends YNode {
        final String text;
        final boolean plain;

        YScalar(Location location, String text, boolean plain) {
            super(location);
            this.text = text;
            this.plain = plain;
        }

        public String text() {
            return text;
        }

        @Override
        String kind() {
            return "a value";
        }
    }
}
