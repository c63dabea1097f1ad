package io.twlab.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes output files so that a failure never leaves a half-written file in place of a good one. */
final class OutputFiles {
    private OutputFiles() {
    }

    static void prepareDirectory(Path dir) {
        if (dir.toString().isBlank()) {
            throw new UsageException("--out needs a directory name, and '' is none (it would write into the current "
                    + "directory); give e.g. --out out/run1");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("--out " + dir + " exists and is not a directory; choose another path");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UsageException("--out " + dir + ": cannot create the directory (" + e.getMessage() + ")");
        }
    }

    /** Refuses, before any work, a target that is a directory or sits in a directory that does not exist. */
    static void checkWritableFile(Path file, String option) {
        if (Files.isDirectory(file)) {
            throw new UsageException(option + " " + file + " is a directory; give a file name such as report.html");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UsageException(option + " " + file + ": the directory " + parent + " does not exist; create it "
                    + "or choose another path");
        }
    }

    static void write(Path file, String content) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UsageException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
