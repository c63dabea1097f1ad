package io.twlab.cli;

import io.twlab.report.Json;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An --out directory that one run owns at a time and that never holds a mix of two runs. The run writes into a
 * sibling staging directory ({@code DIR.tmp-PID}); only when it has succeeded are its files moved into DIR one by
 * one, the main document last, then the manifest ({@value #MANIFEST}: the run id and the files twlab wrote). Files
 * of the previous run that this one did not write are removed only if that run's manifest lists them, so a user's
 * own files stay. A lock file refuses a second concurrent run into DIR. An interrupted or failing run leaves DIR as
 * it was; its staging directory is removed on exit (or, after a SIGKILL, by the next run into DIR).
 */
final class OutputDirectory implements AutoCloseable {
    static final String MANIFEST = ".twlab-manifest.json";
    static final String LOCK = ".twlab.lock";
    private static final String STAGING = ".tmp-";

    private final Path dir;
    private final String command;
    private final Path staging;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Thread cleanup;
    private boolean committed;

    private OutputDirectory(Path dir, String command, Path staging, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.command = command;
        this.staging = staging;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.cleanup = new Thread(() -> deleteTree(staging), "twlab-out-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Takes DIR for this run: creates it, locks it, and opens a fresh staging directory beside it. */
    static OutputDirectory open(Path dir, String command) {
        OutputFiles.prepareDirectory(dir);
        Path abs = dir.toAbsolutePath().normalize();
        FileChannel channel;
        FileLock lock;
        try {
            channel = FileChannel.open(abs.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
        } catch (IOException e) {
            throw new UsageException("--out " + dir + ": cannot lock the directory (" + e.getMessage() + ")");
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new UsageException("--out " + dir + ": another twlab run is writing into this directory; wait for "
                    + "it to finish or choose another --out");
        }
        removeAbandonedStaging(abs);
        Path staging = abs.resolveSibling(abs.getFileName() + STAGING + ProcessHandle.current().pid());
        deleteTree(staging);
        try {
            Files.createDirectories(staging);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UsageException("--out " + dir + ": cannot create " + staging + " to write the run into ("
                    + e.getMessage() + ")");
        }
        return new OutputDirectory(abs, command, staging, channel, lock);
    }

    /** Where the run writes {@code name} (relative, may contain folders) until {@link #commit}. */
    Path path(String name) {
        Path p = staging.resolve(name);
        try {
            Files.createDirectories(p.getParent());
        } catch (IOException e) {
            throw new UsageException("cannot create " + p.getParent() + ": " + e.getMessage());
        }
        return p;
    }

    /** The staging directory itself, for code that lays out its own files under it. */
    Path staging() {
        return staging;
    }

    /** The final location of {@code name}, for messages. */
    Path target(String name) {
        return dir.resolve(name);
    }

    /** The id of a run: the first 16 hex digits of the SHA-256 of its main document, so the same run has the same id. */
    static String runId(String mainDocument) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(mainDocument.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                sb.append(String.format("%02x", d[i] & 0xff));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Moves every staged file into DIR ({@code last} after the others), removes the files of the previous run's
     * manifest that this run did not write, and writes the new manifest. Returns the final paths, in move order.
     */
    List<Path> commit(String runId, String last) {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.walk(staging)) {
            s.filter(Files::isRegularFile).map(p -> staging.relativize(p).toString().replace('\\', '/')).sorted()
                    .forEach(names::add);
        } catch (IOException e) {
            throw new UsageException("cannot list " + staging + ": " + e.getMessage());
        }
        if (names.remove(last)) {
            names.add(last);
        }
        List<String> previous = manifestFiles(dir);
        List<Path> moved = new ArrayList<>();
        try {
            for (String n : names) {
                Path to = dir.resolve(n);
                Files.createDirectories(to.getParent());
                move(staging.resolve(n), to);
                moved.add(to);
            }
            for (String old : previous) {
                if (!names.contains(old) && !old.contains("..")) {
                    Files.deleteIfExists(dir.resolve(old));
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runId", runId);
            m.put("command", command);
            m.put("files", names);
            Path tmp = staging.resolve(MANIFEST);
            Files.writeString(tmp, Json.write(m), StandardCharsets.UTF_8);
            move(tmp, dir.resolve(MANIFEST));
        } catch (IOException e) {
            throw new UsageException("cannot move the run's files into " + dir + ": " + e.getMessage());
        }
        committed = true;
        return moved;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The files the manifest in {@code dir} lists, or none. */
    static List<String> manifestFiles(Path dir) {
        Map<String, Object> m = manifest(dir);
        return m == null ? List.of() : Json.strings(m.get("files"));
    }

    /** The manifest of {@code dir}, or null when there is none or it is unreadable. */
    static Map<String, Object> manifest(Path dir) {
        Path p = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(p)) {
            return null;
        }
        try {
            return Json.object(Json.parse(Files.readString(p, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        deleteTree(staging);
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel closes below and releases it anyway
        }
        closeQuietly(lockChannel);
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it removes the staging directory
        }
    }

    boolean committed() {
        return committed;
    }

    /** Staging directories of runs into {@code dir} whose process is gone (killed before it could clean up). */
    private static void removeAbandonedStaging(Path dir) {
        Path parent = dir.getParent();
        if (parent == null) {
            return;
        }
        String prefix = dir.getFileName() + STAGING;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, p -> p.getFileName().toString()
                .startsWith(prefix))) {
            for (Path p : ds) {
                String pid = p.getFileName().toString().substring(prefix.length());
                if (pid.matches("\\d{1,10}") && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                    deleteTree(p);
                }
            }
        } catch (IOException ignored) {
            // nothing to clean, or not listable: the next run tries again
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: what is left is removed by the next run into the same directory
        }
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing a lock file
        }
    }
}
