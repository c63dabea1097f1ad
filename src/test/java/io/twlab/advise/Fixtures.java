package io.twlab.advise;

import io.twlab.advise.evidence.Bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds bundles for the tests from the format fixtures in src/test/resources/io/twlab/advise/formats/ (what each
 * file is and where its data comes from: docs/advise.md) and from text the test writes.
 */
final class Fixtures {
    private Fixtures() {
    }

    static String format(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/io/twlab/advise/formats/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code text} as {@code dir/host/file}. */
    static Path put(Path dir, String host, String file, String text) throws IOException {
        Path p = dir.resolve(host).resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    /** A collect header for a file taken at {@code epoch}. */
    static String header(String command, long epoch, String host) {
        return "# twlab-collect " + command + " " + epoch + " " + host + "\n";
    }

    /** Drops a fixture's own collect header (the lab's files carry one) so the test can give its own. */
    static String body(String fixture) {
        String t = format(fixture);
        return t.startsWith("# twlab-collect ") ? t.substring(t.indexOf('\n') + 1) : t;
    }

    static Bundle read(Path dir) {
        return Bundle.read(List.of(dir), 10);
    }
}
