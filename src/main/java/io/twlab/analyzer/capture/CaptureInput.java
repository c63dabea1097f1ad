package io.twlab.analyzer.capture;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a capture file, read front to back through a window: a mapped window for a plain file (any size,
 * offsets are longs), a refilled heap buffer for a compressed stream. {@link #ensure} makes a range
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
     * A plain file mapped read-only 8 MiB at a time, each window unmapped as soon as the next one is mapped. Mapping
     * reads the page cache in place (read() copies every byte, which on this 2-core machine took longer than the
     * decoding); unmapping at once keeps one window resident, where a mapping left to the garbage collector kept every
     * page it had touched (the whole file). A window starts at the record that did not fit the one before, so a
     * record is always whole; the file's size is taken at open, so a capture still being appended to is read up to
     * that size.
     */
    static final class Mapped extends CaptureInput {
        private static final long WINDOW = 8L << 20;
        /** Unmaps a mapped buffer now: sun.misc.Unsafe.invokeCleaner (module jdk.unsupported), null if unavailable. */
        private static final MethodHandle UNMAP = unmapper();
        private final FileChannel channel;
        private final long size;
        private long end;

        Mapped(Path file) throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            size = channel.size();
            window = ByteBuffer.allocate(0);
        }

        private static MethodHandle unmapper() {
            try {
                Class<?> unsafe = Class.forName("sun.misc.Unsafe");
                java.lang.reflect.Field theUnsafe = unsafe.getDeclaredField("theUnsafe");
                theUnsafe.setAccessible(true);
                return MethodHandles.lookup().findVirtual(unsafe, "invokeCleaner",
                        MethodType.methodType(void.class, ByteBuffer.class)).bindTo(theUnsafe.get(null));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // windows are then unmapped by the collector: correct, with a larger resident set
            }
        }

        @Override
        boolean ensure(long offset, int length) throws IOException {
            if (offset + length > size) {
                return false;
            }
            if (offset >= base && offset + length <= end) {
                return true;
            }
            if (offset < base) {
                throw new IllegalStateException("a capture is read forwards only");
            }
            // Nothing reads the old window after this call (the reader asks for window() after every ensure and
            // handlers use the buffer only while they are called), so it can go before the collector sees it.
            ByteBuffer old = window;
            long mapEnd = Math.min(size, offset + Math.max(WINDOW, length));
            window = channel.map(FileChannel.MapMode.READ_ONLY, offset, mapEnd - offset).order(ByteOrder.BIG_ENDIAN);
            base = offset;
            end = mapEnd;
            unmap(old);
            return true;
        }

        private static void unmap(ByteBuffer b) {
            if (UNMAP == null || !b.isDirect()) {
                return;
            }
            try {
                UNMAP.invokeExact(b);
            } catch (Throwable e) {
                throw new IllegalStateException("unmapping a capture window failed", e);
            }
        }

        @Override
        long size() {
            return size;
        }

        @Override
        public void close() throws IOException {
            unmap(window);
            window = ByteBuffer.allocate(0);
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
