package io.twlab.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** File → YAML tree → --set overrides → validation → {@link ScenarioSpec}. */
public final class ScenarioLoader {
    private ScenarioLoader() {
    }

    public static ScenarioSpec load(Path file, List<String> overrides) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ScenarioException(new Location(file.toString(), 0, 0), "no such file",
                    "check the path; scenarios ship under scenarios/");
        } catch (IOException e) {
            throw new ScenarioException(new Location(file.toString(), 0, 0), "cannot read the file: " + e.getMessage(),
                    "check its permissions");
        }
        return parse(text, file.toString(), overrides, file);
    }

    public static ScenarioSpec parse(String text, String source, List<String> overrides) {
        return parse(text, source, overrides, null);
    }

    private static ScenarioSpec parse(String text, String source, List<String> overrides, Path file) {
        YNode root = resolveVariant(YamlReader.read(text, source), file, 0);
        Overrides.apply(root, overrides);
        return ScenarioBinder.bind(root);
    }

    /**
     * A variant scenario names a {@code base} scenario (relative to its own file) and lists {@code set}
     * overrides in PATH=VALUE form; its {@code name} and {@code description} replace the base's.
     */
    private static YNode resolveVariant(YNode root, Path file, int depth) {
        if (!(root instanceof YNode.YMap map) || map.get("base") == null) {
            return root;
        }
        Section s = new Section(root, "the variant scenario");
        YNode baseNode = s.required("base", "base: other.yaml");
        String baseName = s.scalar(baseNode, "base", "a file name").text;
        if (file == null || depth > 8) {
            throw new ScenarioException(baseNode.location(), depth > 8 ? "variants nest too deeply" : "base needs a scenario file",
                    "name a scenario file next to this one");
        }
        Path basePath = file.resolveSibling(baseName);
        String baseText;
        try {
            baseText = Files.readString(basePath, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ScenarioException(baseNode.location(), "cannot read base scenario " + basePath,
                    "base is resolved relative to this file's folder");
        }
        YNode base = resolveVariant(YamlReader.read(baseText, basePath.toString()), basePath, depth + 1);
        if (!(base instanceof YNode.YMap baseMap)) {
            throw new ScenarioException(baseNode.location(), "the base scenario is not a mapping", "check " + basePath);
        }
        for (String key : List.of("name", "description")) {
            if (s.has(key)) {
                baseMap.entries.put(key, map.get(key));
            }
        }
        for (YNode item : s.list("set", false, "")) {
            YNode.YScalar expr = s.scalar(item, "set", "a PATH=VALUE text");
            Overrides.apply(base, expr.text(), expr.location());
        }
        s.finish();
        return base;
    }
}
