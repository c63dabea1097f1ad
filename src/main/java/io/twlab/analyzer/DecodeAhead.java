package io.twlab.analyzer;

import io.twlab.analyzer.capture.CaptureFormatException;
import io.twlab.analyzer.capture.CaptureReader;
import io.twlab.analyzer.capture.PacketHandler;
import io.twlab.analyzer.capture.Segment;
import io.twlab.analyzer.capture.SegmentDecoder;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Reads and decodes a capture on a second thread, handing its TCP segments over in batches, so decoding overlaps
 * what the detectors do with them (on two cores the whole analysis then costs about the detectors' time). The
 * segments arrive in capture order; the read's counts and warnings go into the {@link Analysis}, which the
 * consuming thread reads only after {@link #forEach} has returned. The batches and their segments are reused:
 * nothing may keep a segment after it is handed on.
 */
final class DecodeAhead implements PacketHandler, Runnable {
    private static final int BATCH = 2048;
    private static final int BATCHES = 4;

    private static final class Batch {
        final Segment[] segments = new Segment[BATCH];
        int size;
        /** The last batch of the capture; {@link #failure} says why reading stopped, null at its natural end. */
        boolean last;
        Throwable failure;

        Batch() {
            for (int i = 0; i < BATCH; i++) {
                segments[i] = new Segment();
            }
        }
    }

    private final Analysis a;
    private final CaptureReader reader;
    private final LongConsumer progress;
    private final SegmentDecoder decoder = new SegmentDecoder();
    private final Set<Integer> unknownLinks = new TreeSet<>();
    private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(BATCHES);
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(BATCHES);
    private Batch filling;

    DecodeAhead(Analysis a, CaptureReader reader, LongConsumer progress) {
        this.a = a;
        this.reader = reader;
        this.progress = progress;
        for (int i = 0; i < BATCHES; i++) {
            free.add(new Batch());
        }
    }

    /** Reads the whole capture, handing each TCP segment to {@code onSegment} on this thread, in order. */
    void forEach(Consumer<Segment> onSegment) throws IOException, CaptureFormatException {
        Thread decoding = new Thread(this, "twlab-decode-ahead");
        decoding.setDaemon(true);
        decoding.start();
        Throwable failure;
        try {
            while (true) {
                Batch b = full.take();
                for (int i = 0; i < b.size; i++) {
                    onSegment.accept(b.segments[i]);
                }
                if (b.last) {
                    failure = b.failure;
                    break;
                }
                b.size = 0;
                free.add(b);
            }
            decoding.join();
        } catch (InterruptedException e) {
            stop(decoding);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while analyzing the capture");
        } catch (RuntimeException | Error e) {
            stop(decoding);
            throw e;
        }
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof CaptureFormatException format) {
            throw format;
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    /**
     * Tells the decoding thread to give up and waits until it has: the caller closes the reader next, which unmaps
     * the window that thread may still be decoding from (reading an unmapped window crashes the JVM).
     */
    private static void stop(Thread decoding) {
        decoding.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                decoding.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        Throwable failure = null;
        try {
            filling = free.take();
            reader.read(this);
        } catch (InterruptedException | StopReading e) {
            return; // the consumer failed and gave up on the rest
        } catch (Throwable t) {
            failure = t;
        }
        filling.last = true;
        filling.failure = failure;
        full.add(filling);
    }

    @Override
    public void onPacket(long number, long timeNs, int linkType, int iface, ByteBuffer data, int offset, int captured,
            int original, long fileOffset) {
        a.packets = number;
        if (progress != null && (number & 0xffff) == 0) {
            progress.accept(fileOffset);
        }
        a.firstTimeNs = Math.min(a.firstTimeNs, timeNs);
        a.lastTimeNs = Math.max(a.lastTimeNs, timeNs);
        Segment seg = filling.segments[filling.size];
        if (!decoder.decode(linkType, data, offset, captured, seg)) {
            switch (decoder.outcome()) {
                case NOT_TCP -> a.notTcp++;
                case FRAGMENT -> a.fragments++;
                case UNKNOWN_LINK -> {
                    a.undecodable++;
                    if (unknownLinks.add(linkType)) {
                        a.decodeWarning(number, fileOffset, decoder.problem() + "; packets of this link type "
                                + "are skipped");
                    }
                }
                default -> {
                    a.undecodable++;
                    a.decodeWarning(number, fileOffset, decoder.problem() + "; packet skipped");
                }
            }
            return;
        }
        a.tcpSegments++;
        seg.number = number;
        seg.timeNs = timeNs;
        seg.fileOffset = fileOffset;
        if (++filling.size == BATCH) {
            full.add(filling);
            try {
                filling = free.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StopReading();
            }
        }
    }

    /** Unwinds the reader when the consumer has given up. */
    private static final class StopReading extends RuntimeException {
        StopReading() {
            super(null, null, false, false);
        }
    }
}
