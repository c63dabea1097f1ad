package io.twlab.analyzer.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
     * A plain file read front to back in 4 MiB chunks, the next one read ahead on a second thread while the reader
     * decodes this one, so the copy from the page cache overlaps the decoding. Reading copies instead of mapping so
     * that the process holds at most 16 MiB of the file, not every page it has touched (a mapped window counts in the
     * resident set until the collector unmaps it). Each of the two buffers has 4 MiB of room in front of its chunk
     * for the unread tail of the chunk before (a record is at most 4 MiB), so a record across chunks is whole.
     */
    static final class Read extends CaptureInput {
        private static final int HEAD = 4 << 20;
        private static final int CHUNK = 4 << 20;
        private final FileChannel channel;
        private final long size;
        /** Room in front of a chunk: HEAD, or 0 for a file of one chunk. */
        private final int head;
        /** Null for a file of one chunk. */
        private final ExecutorService readAhead;
        /** The buffer being filled with the chunk at {@link #aheadOffset}, at index {@link #head}. */
        private ByteBuffer spare;
        private Future<Integer> ahead;
        private long aheadOffset;
        /** The window's valid bytes are indices [start, end), file offsets [base + start, base + end). */
        private int start;
        private int end;

        Read(Path file) throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            size = channel.size();
            if (size <= CHUNK) {
                // One chunk holds the file: one buffer its size, read here, no second thread.
                head = 0;
                window = ByteBuffer.allocateDirect((int) size).order(ByteOrder.BIG_ENDIAN);
                readAhead = null;
                end = readChunk(window, 0);
                return;
            }
            head = HEAD;
            window = ByteBuffer.allocateDirect(HEAD + CHUNK).order(ByteOrder.BIG_ENDIAN);
            spare = ByteBuffer.allocateDirect(HEAD + CHUNK).order(ByteOrder.BIG_ENDIAN);
            readAhead = Executors.newSingleThreadExecutor(task -> {
                Thread t = new Thread(task, "twlab-capture-read-ahead");
                t.setDaemon(true);
                return t;
            });
            startReadAhead(0);
        }

        @Override
        boolean ensure(long offset, int length) throws IOException {
            if (offset + length > size || length > CHUNK) {
                return false;
            }
            if (offset >= base + start && offset + length <= base + end) {
                return true;
            }
            if (offset < base + start) {
                throw new IllegalStateException("a capture is read forwards only");
            }
            long next = base + end;
            boolean readingNext = ahead != null && aheadOffset == next;
            int read = awaitReadAhead();
            int keep;
            if (offset <= next && readingNext) {
                // The unread tail [offset, next) goes in front of the chunk read ahead from next.
                keep = (int) (next - offset);
                spare.put(head - keep, window, (int) (offset - base), keep);
            } else {
                // A jump past what was read (a skipped block), or the chunk was not read ahead: read from offset.
                keep = 0;
                read = readChunk(spare, offset);
            }
            ByteBuffer full = spare;
            spare = window;
            window = full;
            start = head - keep;
            end = head + read;
            base = offset - start;
            if (base + end < size) {
                startReadAhead(base + end);
            }
            return keep + read >= length;
        }

        private void startReadAhead(long from) {
            aheadOffset = from;
            ByteBuffer into = spare;
            ahead = readAhead.submit(() -> readChunk(into, from));
        }

        /** Waits for the read-ahead; the bytes it put into {@link #spare} (0 when none was running). */
        private int awaitReadAhead() throws IOException {
            if (ahead == null) {
                return 0;
            }
            try {
                return ahead.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading the capture");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IllegalStateException(e.getCause());
            } finally {
                ahead = null;
            }
        }

        /** Fills {@code into} from {@code head} with the file from {@code from}; short only at the end of the file. */
        private int readChunk(ByteBuffer into, long from) throws IOException {
            ByteBuffer target = into.duplicate();
            target.clear().position(head);
            int n = 0;
            while (target.hasRemaining() && from + n < size) {
                int r = channel.read(target, from + n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            return n;
        }

        @Override
        long size() {
            return size;
        }

        @Override
        public void close() throws IOException {
            try {
                awaitReadAhead();
            } catch (IOException e) {
                // The read-ahead of a chunk nobody will read: its failure does not matter now.
            } finally {
                if (readAhead != null) {
                    readAhead.shutdown();
                }
                channel.close();
            }
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
