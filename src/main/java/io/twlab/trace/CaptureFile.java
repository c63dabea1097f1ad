package io.twlab.trace;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A capture file being written: its header first, then one record per packet the filter lets through. */
abstract class CaptureFile implements AutoCloseable {
    static final int SNAPLEN = 262_144;

    private final OutputStream out;
    final CaptureFilter filter;
    private long written;

    CaptureFile(Path file, CaptureFilter filter, byte[] header) {
        this.filter = filter;
        try {
            this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            out.write(header);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write capture " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes one packet's record (its first {@code length} bytes of {@code record}). */
    final void writeRecord(byte[] record, int length) {
        try {
            out.write(record, 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write capture: " + e.getMessage(), e);
        }
        written++;
    }

    /** Packets written so far. */
    public long written() {
        return written;
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finish capture: " + e.getMessage(), e);
        }
    }
}
