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

    /** The largest scenario file read: scenarios are a few KB; anything bigger is not one. */
    static final long MAX_BYTES = 1 << 20;

    public static ScenarioSpec load(Path file, List<String> overrides) {
        return parse(readText(file, new Location(file.toString(), 0, 0)), file.toString(), overrides, file);
    }

    /**
     * A scenario file's text, refused before reading when it is no regular file (a directory, FIFO or device could
     * be endless) or over {@link #MAX_BYTES}, and decoded as strict UTF-8 with the problem named when it is not.
     */
    static String readText(Path file, Location at) {
        if (!Files.exists(file)) {
            throw new ScenarioException(at, "no such file " + file, "check the path; scenarios ship under scenarios/");
        }
        if (!Files.isRegularFile(file)) {
            throw new ScenarioException(at, file + " is " + (Files.isDirectory(file) ? "a directory" : "not a regular "
                    + "file (a FIFO, socket or device)"), "give a scenario file (YAML)");
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new ScenarioException(at, file + " has " + size + " bytes; a scenario is at most " + MAX_BYTES
                        + " (1 MiB)", "check it is the scenario you meant: scenarios are a few KB of YAML");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ScenarioException(at, "no such file " + file, "check the path; scenarios ship under scenarios/");
        } catch (IOException e) {
            throw new ScenarioException(at, "cannot read " + file + ": " + e.getMessage(), "check its permissions");
        }
        if (bytes.length > MAX_BYTES) {
            throw new ScenarioException(at, file + " grew past " + MAX_BYTES + " bytes while being read",
                    "give a scenario file (YAML)");
        }
        return decode(bytes, file, at);
    }

    private static String decode(byte[] bytes, Path file, Location at) {
        if (bytes.length >= 2 && (bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF
                || bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE)) {
            throw new ScenarioException(at, file + " is UTF-16 text (it starts with a UTF-16 byte-order mark)",
                    "save it as UTF-8");
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new ScenarioException(at, file + " holds a NUL byte at byte offset " + i + ": it is binary "
                        + "(or UTF-16/32), not a YAML text", "give the scenario's YAML file, saved as UTF-8");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            int offset = firstInvalidUtf8(bytes);
            throw new ScenarioException(at, file + " is not UTF-8: byte 0x" + String.format("%02x", bytes[offset] & 0xff)
                    + " at byte offset " + offset + " (line " + lineOf(bytes, offset) + ") starts no UTF-8 character",
                    "save the file as UTF-8 (it looks like Latin-1 or another 8-bit encoding)");
        }
    }

    private static int firstInvalidUtf8(byte[] b) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(b);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(b.length + 1);
        java.nio.charset.CoderResult r = decoder.decode(in, out, true);
        return r.isError() ? in.position() : 0;
    }

    private static int lineOf(byte[] b, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (b[i] == '\n') {
                line++;
            }
        }
        return line;
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
        String baseText = readText(basePath, baseNode.location());
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
