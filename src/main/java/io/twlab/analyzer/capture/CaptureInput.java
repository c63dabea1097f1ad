package io.twlab.analyzer.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a capture file, read front to back through a window: a refilled direct buffer for a plain file
 * (any size, offsets are longs), a refilled heap buffer for a compressed stream. {@link #ensure} makes a range
 * readable; the reader then reads it with absolute gets at {@code offset - base()}. Nothing is allocated per packet.
 */
abstract class CaptureInput implements AutoCloseable {
    protected ByteBuffer window;
    protected long base;

    /** Makes [offset, offset + length) readable; false when the input ends before offset + length. */
    abstract boolean ensure(long offset, int length) throws IOException;

    /** Bytes known to exist from {@code offset} up to the end of the input or the end of what is buffered. */
    abstract long size();

    /** Why the input ended before its natural end (a damaged gzip stream), or null. */
    String damage() {
        return null;
    }

    @Override
    public abstract void close() throws IOException;

    ByteBuffer window() {
        return window;
    }

    long base() {
        return base;
    }

    /**
     * A plain file read front to back into one 8 MiB direct buffer (records are at most 4 MiB). Reading copies
     * instead of mapping so that the process holds 8 MiB of the file, not every page it has touched: a mapped
     * window counts in the resident set until the collector unmaps it.
     */
    static final class Read extends CaptureInput {
        private static final int BUFFER = 8 << 20;
        private final FileChannel channel;
        private final long size;
        private int filled;

        Read(Path file) throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            size = channel.size();
            window = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.BIG_ENDIAN);
        }

        @Override
        boolean ensure(long offset, int length) throws IOException {
            if (offset + length > size || length > BUFFER) {
                return false;
            }
            if (offset >= base && offset + length <= base + filled) {
                return true;
            }
            if (offset < base) {
                throw new IllegalStateException("a capture is read forwards only");
            }
            // Keep the unread tail [offset, base + filled), then fill the rest of the buffer behind it.
            int keep = (int) Math.max(0, base + filled - offset);
            if (keep > 0) {
                window.limit(filled).position((int) (offset - base));
                window.compact();
            }
            base = offset;
            filled = keep;
            window.clear().position(filled);
            while (filled < length || (window.hasRemaining() && base + filled < size)) {
                int n = channel.read(window, base + filled);
                if (n < 0) {
                    break;
                }
                filled += n;
            }
            window.clear();
            return filled >= length;
        }

        @Override
        long size() {
            return size;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A stream (gzip): a heap buffer that keeps the unread tail and refills behind it. */
    static final class Streamed extends CaptureInput {
        private final InputStream in;
        private final byte[] bytes;
        private int filled;
        private boolean eof;
        private String damage;

        Streamed(InputStream in) {
            this.in = in;
            this.bytes = new byte[8 << 20];
            this.window = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        }

        @Override
        boolean ensure(long offset, int length) throws IOException {
            if (offset < base) {
                throw new IllegalStateException("a stream is read forwards only");
            }
            if (length > bytes.length) {
                return false;
            }
            while (offset + length > base + filled) {
                if (eof) {
                    return false;
                }
                try {
                    if (offset > base + filled) {
                        // Skipping a block: drop the bytes up to offset without buffering them.
                        try {
                            in.skipNBytes(offset - (base + filled));
                        } catch (java.io.EOFException e) {
                            eof = true;
                            return false;
                        }
                        base = offset;
                        filled = 0;
                    } else if (offset > base) {
                        int keep = (int) (base + filled - offset);
                        System.arraycopy(bytes, (int) (offset - base), bytes, 0, keep);
                        base = offset;
                        filled = keep;
                    }
                    int n = in.read(bytes, filled, bytes.length - filled);
                    if (n < 0) {
                        eof = true;
                    } else {
                        filled += n;
                    }
                } catch (IOException e) {
                    // A gzip stream cut short or with a bad CRC: what was inflated before the damage is kept.
                    eof = true;
                    damage = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                }
            }
            return true;
        }

        @Override
        long size() {
            return eof ? base + filled : Long.MAX_VALUE;
        }

        @Override
        String damage() {
            return damage;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
