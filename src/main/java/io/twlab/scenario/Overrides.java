package io.twlab.scenario;

import java.util.List;
import java.util.Set;

/**
 * Applies {@code --set PATH=VALUE} to a scenario tree before validation, so a bad value is reported at the
 * override. Path segments are separated by dots; a list item is addressed by its {@code name}; keys that
 * contain dots (sysctl names) are matched as a whole.
 */
public final class Overrides {
    /** Mappings whose keys are free-form names containing dots. */
    private static final Set<String> DOTTED_KEY_MAPS = Set.of("sysctl");

    private Overrides() {
    }

    /** Command-line overrides. */
    public static void apply(YNode root, List<String> expressions) {
        for (String expr : expressions) {
            apply(root, expr, Location.ofOverride(expr, 1));
        }
    }

    /**
     * Applies one PATH=VALUE whose first character is at {@code at} (a --set argument, or a line of a
     * variant scenario's {@code set:} list).
     */
    static void apply(YNode root, String expr, Location at) {
        int eq = expr.indexOf('=');
        if (eq <= 0) {
            throw new ScenarioException(at, "expected PATH=VALUE",
                    "for example workloads.partner.rate=590 or duration=10m");
        }
        String path = expr.substring(0, eq).trim();
        if (expr.substring(eq + 1).isBlank()) {
            throw new ScenarioException(shift(at, eq + 1), "missing value after '='", "write " + path + "=VALUE");
        }
        YNode value = YamlReader.read(expr.substring(eq + 1), at.source(), at.line(), at.column() + eq + 1);
        if (value instanceof YNode.YScalar s && s.text.isEmpty()) {
            throw new ScenarioException(shift(at, eq + 1), "missing value after '='", "write " + path + "=VALUE");
        }
        String[] segments = path.split("\\.", -1);
        for (String seg : segments) {
            if (seg.isEmpty()) {
                throw new ScenarioException(at, "empty segment in path '" + path + "'",
                        "separate names with single dots, e.g. hosts.nginx.kernel");
            }
        }
        if (!(root instanceof YNode.YMap)) {
            throw new ScenarioException(root.location(), "the scenario must be a mapping", "start with name: ...");
        }
        YNode node = root;
        String parentKey = "";
        int i = 0;
        while (true) {
            if (node instanceof YNode.YMap map) {
                int take = longestKeyMatch(map, segments, i);
                String key;
                if (take > 0) {
                    key = join(segments, i, take);
                } else if (DOTTED_KEY_MAPS.contains(parentKey)) {
                    take = segments.length - i;
                    key = join(segments, i, take);
                } else {
                    take = 1;
                    key = segments[i];
                }
                i += take;
                if (i == segments.length) {
                    map.entries.put(key, value);
                    map.keyLocations.putIfAbsent(key, value.location());
                    return;
                }
                YNode next = map.entries.get(key);
                if (next == null) {
                    next = new YNode.YMap(value.location());
                    map.entries.put(key, next);
                    map.keyLocations.put(key, value.location());
                }
                parentKey = key;
                node = next;
            } else if (node instanceof YNode.YList list) {
                String wanted = segments[i];
                YNode item = findByName(list, wanted);
                if (item == null) {
                    throw new ScenarioException(at,
                            "no item named '" + wanted + "' in " + join(segments, 0, i),
                            "items there: " + String.join(", ", names(list)));
                }
                i++;
                if (i == segments.length) {
                    throw new ScenarioException(at,
                            "cannot replace a whole list item with --set", "name a key inside it, e.g. "
                            + path + ".count");
                }
                parentKey = wanted;
                node = item;
            } else {
                throw new ScenarioException(at,
                        "'" + join(segments, 0, i) + "' is a value, not a mapping",
                        "the path goes too deep; check it against the scenario");
            }
        }
    }

    private static Location shift(Location at, int columns) {
        return new Location(at.source(), at.line(), at.column() + columns);
    }

    private static int longestKeyMatch(YNode.YMap map, String[] segments, int from) {
        for (int take = segments.length - from; take >= 1; take--) {
            if (map.entries.containsKey(join(segments, from, take))) {
                return take;
            }
        }
        return 0;
    }

    private static YNode findByName(YNode.YList list, String name) {
        for (YNode item : list.items) {
            if (item instanceof YNode.YMap m && m.get("name") instanceof YNode.YScalar s && s.text.equals(name)) {
                return item;
            }
        }
        return null;
    }

    private static List<String> names(YNode.YList list) {
        return list.items.stream()
                .filter(it -> it instanceof YNode.YMap m && m.get("name") instanceof YNode.YScalar)
                .map(it -> ((YNode.YScalar) ((YNode.YMap) it).get("name")).text)
                .toList();
    }

    private static String join(String[] segments, int from, int count) {
        return String.join(".", java.util.Arrays.copyOfRange(segments, from, from + count));
    }
}
