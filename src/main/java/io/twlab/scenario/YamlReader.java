package io.twlab.scenario;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

import java.util.Optional;

/** Parses YAML text into a {@link YNode} tree with locations; syntax errors become {@link ScenarioException}. */
public final class YamlReader {
    private YamlReader() {
    }

    public static YNode read(String text, String source) {
        return read(text, source, 1, 1);
    }

    /**
     * Parses text that starts at (baseLine, baseColumn) of its source, so locations point into the enclosing
     * file; baseLine 0 means a command-line argument, where only the column is meaningful.
     */
    static YNode read(String text, String source, int lineOffset, int columnOffset) {
        // Aliases are limited so that a few anchors cannot expand into a huge tree ("billion laughs").
        LoadSettings settings = LoadSettings.builder().setLabel(source).setMaxAliasesForCollections(MAX_ALIASES)
                .setAllowRecursiveKeys(false).build();
        try {
            Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
            Optional<Node> root = composer.getSingleNode();
            if (root.isEmpty()) {
                return new YNode.YMap(new Location(source, 1, 1));
            }
            return convert(root.get(), source, lineOffset, columnOffset);
        } catch (MarkedYamlEngineException e) {
            Location loc = e.getProblemMark().map(m -> location(m, source, lineOffset, columnOffset))
                                .orElse(new Location(source, lineOffset, columnOffset));
            throw new ScenarioException(loc, "YAML syntax error: " + e.getProblem(),
                    "check indentation (spaces, not tabs) and quoting near this position");
        } catch (YamlEngineException e) {
            throw new ScenarioException(new Location(source, 1, 1), "YAML error: " + e.getMessage(),
                    "check the file is valid YAML");
        } catch (ScenarioException e) {
            throw e;
        } catch (RuntimeException e) {
            // snakeyaml-engine fails some inputs with plain runtime exceptions, found by fuzzing: a tag with a space
            // (IllegalArgumentException), a lone UTF-16 surrogate at a buffer refill (IndexOutOfBoundsException).
            throw new ScenarioException(new Location(source, 1, 1), "YAML error: " + e.getMessage(),
                    "check the file is valid YAML");
        } catch (StackOverflowError e) {
            // The YAML parser descends once per nesting level; a scenario is a few levels deep.
            throw new ScenarioException(new Location(source, 1, 1), "YAML nested too deeply to read",
                    "a scenario needs a few levels of lists and mappings; check the file is the scenario you meant");
        }
    }

    private static final int MAX_ALIASES = 50;
    private static final int MAX_DEPTH = 64;

    private static Location location(Mark m, String source, int baseLine, int baseColumn) {
        int column = m.getLine() == 0 ? baseColumn + m.getColumn() : m.getColumn() + 1;
        return new Location(source, baseLine == 0 ? 0 : baseLine + m.getLine(), column);
    }

    private static Location location(Node n, String source, int lineOffset, int columnOffset) {
        return n.getStartMark().map(m -> location(m, source, lineOffset, columnOffset))
                .orElse(new Location(source, 1, 1));
    }

    private static YNode convert(Node n, String source, int lineOffset, int columnOffset) {
        return convert(n, source, lineOffset, columnOffset, 0);
    }

    private static YNode convert(Node n, String source, int lineOffset, int columnOffset, int depth) {
        Location loc = location(n, source, lineOffset, columnOffset);
        if (depth > MAX_DEPTH) {
            throw new ScenarioException(loc, "YAML nested more than " + MAX_DEPTH + " levels deep",
                    "a scenario needs a few levels of lists and mappings");
        }
        if (!n.getTag().getValue().startsWith(Tag.PREFIX)) {
            throw new ScenarioException(loc, "custom YAML tag " + n.getTag().getValue() + " is not supported",
                    "remove the tag: a scenario is plain mappings, lists and values");
        }
        if (n instanceof ScalarNode s) {
            return new YNode.YScalar(loc, s.getValue(), s.getScalarStyle() == ScalarStyle.PLAIN);
        }
        if (n instanceof SequenceNode seq) {
            YNode.YList list = new YNode.YList(loc);
            for (Node item : seq.getValue()) {
                list.items.add(convert(item, source, lineOffset, columnOffset, depth + 1));
            }
            return list;
        }
        if (n instanceof MappingNode map) {
            YNode.YMap out = new YNode.YMap(loc);
            for (NodeTuple t : map.getValue()) {
                Location keyLoc = location(t.getKeyNode(), source, lineOffset, columnOffset);
                if (!(t.getKeyNode() instanceof ScalarNode key)) {
                    throw new ScenarioException(keyLoc, "a mapping key must be a plain name", "write key: value");
                }
                if (out.entries.containsKey(key.getValue())) {
                    throw new ScenarioException(keyLoc, "duplicate key '" + key.getValue() + "'",
                            "the first one is at " + out.keyLocations.get(key.getValue()) + "; keep one of them");
                }
                out.entries.put(key.getValue(), convert(t.getValueNode(), source, lineOffset, columnOffset, depth + 1));
                out.keyLocations.put(key.getValue(), keyLoc);
            }
            return out;
        }
        throw new ScenarioException(loc, "unsupported YAML node", "use mappings, lists and plain values");
    }
}
