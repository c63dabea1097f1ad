package io.twlab.analyzer.capture;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Streams the packets of a classic pcap (µs or ns magic, either byte order) or pcapng file (sections of either
 * byte order; IDB/EPB/SPB/obsolete packet blocks; per-interface link type, time resolution and offset; other
 * blocks and all options skipped by their lengths), optionally gzip-compressed. Damage stops the reading at
 * the first unreadable record with a warning naming its packet number and byte offset; what came before is kept.
 */
public final class CaptureReader implements AutoCloseable {
    /** Largest record accepted; real captures stay far below (pcap's own maximum snaplen is 256 KiB). */
    private static final int MAX_RECORD = 4 << 20;
    private static final int PCAPNG_SHB = 0x0A0D0D0A;

    private final Path file;
    private final CaptureInput in;
    private final boolean gzip;
    private final List<CaptureWarning> warnings = new ArrayList<>();
    private final int maxWarnings;
    private long warningsDropped;
    private boolean littleEndian;
    private long packets;
    private String format = "?";

    // pcapng interfaces of the current section
    private int[] ifLinkType = new int[4];
    private long[] ifUnitsPerSecond = new long[4];
    private double[] ifNsPerUnit = new double[4];
    private long[] ifOffsetSeconds = new long[4];
    private int[] ifSnaplen = new int[4];
    private int interfaces;
    private long lastTimeNs;

    private CaptureReader(Path file, CaptureInput in, boolean gzip, int maxWarnings) {
        this.file = file;
        this.in = in;
        this.gzip = gzip;
        this.maxWarnings = maxWarnings;
    }

    /** Opens {@code file}; gzip is recognised by its magic bytes. */
    public static CaptureReader open(Path file) throws IOException, CaptureFormatException {
        return open(file, 1000);
    }

    public static CaptureReader open(Path file, int maxWarnings) throws IOException, CaptureFormatException {
        boolean gz;
        try (InputStream probe = Files.newInputStream(file)) {
            gz = probe.read() == 0x1f && probe.read() == 0x8b;
        }
        if (!gz) {
            return new CaptureReader(file, new CaptureInput.Mapped(file), false, maxWarnings);
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return new CaptureReader(file, new CaptureInput.Streamed(new GZIPInputStream(raw, 1 << 16)), true,
                    maxWarnings);
        } catch (IOException e) {
            // The gzip magic, then a header GZIPInputStream cannot read (cut short, bad flags): found by fuzzing.
            raw.close();
            throw new CaptureFormatException(file + ": byte offset 0: a gzip header that cannot be read ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "); is the file "
                    + "complete?");
        }
    }

    public List<CaptureWarning> warnings() {
        return warnings;
    }

    /** Warnings beyond the first {@code maxWarnings}, counted but not kept. */
    public long warningsDropped() {
        return warningsDropped;
    }

    public long packets() {
        return packets;
    }

    /** "pcap (µs, little-endian)", "pcapng", with "gzip, " in front when compressed. */
    public String format() {
        return (gzip ? "gzip, " : "") + format;
    }

    private void warn(long packet, long offset, String message) {
        if (warnings.size() < maxWarnings) {
            warnings.add(new CaptureWarning(packet, offset, message));
        } else {
            warningsDropped++;
        }
    }

    /** Reads every packet into {@code handler}; throws only when the file is not a capture at all. */
    public void read(PacketHandler handler) throws IOException, CaptureFormatException {
        if (!in.ensure(0, 4)) {
            throw new CaptureFormatException(file + ": byte offset 0: the file is shorter than any capture header "
                    + "(expected a pcap or pcapng file, optionally gzip-compressed)");
        }
        int magicBig = in.window().getInt((int) (0 - in.base())); // file offset 0
        if (magicBig == PCAPNG_SHB) {
            format = "pcapng";
            readPcapng(handler);
        } else {
            readPcap(handler, magicBig);
        }
        if (in.damage() != null) {
            warn(packets + 1, in.size(), "the gzip stream is damaged after " + in.size() + " uncompressed bytes ("
                    + in.damage() + "); the packets before it were analyzed");
        }
    }

    // ---- classic pcap ----

    private void readPcap(PacketHandler handler, int magicBig) throws IOException, CaptureFormatException {
        boolean nanos;
        switch (magicBig) {
            case 0xa1b2c3d4 -> { littleEndian = false; nanos = false; }
            case 0xd4c3b2a1 -> { littleEndian = true; nanos = false; }
            case 0xa1b23c4d -> { littleEndian = false; nanos = true; }
            case 0x4d3cb2a1 -> { littleEndian = true; nanos = true; }
            default -> throw new CaptureFormatException(String.format("%s: byte offset 0: magic 0x%08x is neither "
                    + "pcap (a1b2c3d4, a1b23c4d, either byte order) nor pcapng (0a0d0d0a); is this a capture file?",
                    file, magicBig));
        }
        format = "pcap (" + (nanos ? "ns" : "µs") + ", " + (littleEndian ? "little" : "big") + "-endian)";
        if (!in.ensure(0, 24)) {
            throw new CaptureFormatException(file + ": byte offset 4: the pcap header is cut short (24 bytes expected)");
        }
        int snaplen = int32(16);
        int linkType = int32(20) & 0xffff;
        long offset = 24;
        while (true) {
            if (!in.ensure(offset, 16)) {
                if (offset < in.size()) {
                    warn(packets + 1, offset, "truncated record header (" + (in.size() - offset)
                            + " of 16 bytes); the capture ends here");
                }
                return;
            }
            long sec = uint32(offset);
            long frac = uint32(offset + 4);
            int captured = int32(offset + 8);
            int original = int32(offset + 12);
            if (captured < 0 || captured > MAX_RECORD || (snaplen > 0 && captured > Math.max(snaplen, 262_144))) {
                warn(packets + 1, offset, "captured length " + Integer.toUnsignedString(captured) + " is larger than "
                        + "the snaplen " + snaplen + ": the record header is corrupt; reading stops here");
                return;
            }
            if (!in.ensure(offset + 16, captured)) {
                warn(packets + 1, offset, "packet cut short: " + (in.size() - offset - 16) + " of " + captured
                        + " bytes present; the capture ends here");
                return;
            }
            packets++;
            long timeNs = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
            handler.onPacket(packets, timeNs, linkType, 0, in.window(), (int) (offset + 16 - in.base()), captured,
                    original, offset);
            offset += 16 + captured;
        }
    }

    // ---- pcapng ----

    private void readPcapng(PacketHandler handler) throws IOException {
        long offset = 0;
        boolean first = true;
        while (true) {
            if (!in.ensure(offset, 12)) {
                if (offset < in.size()) {
                    warn(packets + 1, offset, "truncated block header; the capture ends here");
                }
                return;
            }
            int type = in.window().getInt((int) (offset - in.base()));
            if (type == PCAPNG_SHB) {
                int bom = in.window().getInt((int) (offset + 8 - in.base()));
                if (bom == 0x1A2B3C4D) {
                    littleEndian = false;
                } else if (bom == 0x4D3C2B1A) {
                    littleEndian = true;
                } else {
                    warn(packets + 1, offset + 8, String.format("section header with byte-order magic 0x%08x "
                            + "(expected 1a2b3c4d); reading stops here", bom));
                    return;
                }
                interfaces = 0;
            } else if (first) {
                warn(0, offset, "pcapng file without a section header block");
                return;
            }
            first = false;
            type = int32(offset);
            long length = uint32(offset + 4);
            if (length < 12 || length % 4 != 0) {
                warn(packets + 1, offset + 4, "block length " + length + " (type " + type + ") is not a multiple of 4 "
                        + "of at least 12: corrupt block; reading stops here");
                return;
            }
            // A block of ordinary size is made readable whole; a larger one (never a packet) only at its end, so
            // skipping it neither maps nor buffers it.
            if (!(length <= MAX_RECORD ? in.ensure(offset, (int) length) : in.ensure(offset + length - 4, 4))) {
                warn(packets + 1, offset, "block of " + length + " bytes (type " + type + ") runs past the end of the "
                        + "file: truncated; the capture ends here");
                return;
            }
            long trailer = uint32(offset + length - 4);
            if (trailer != length) {
                warn(packets + 1, offset + length - 4, "block length " + length + " at its start but " + trailer
                        + " at its end: corrupt block; reading stops here");
                return;
            }
            switch (type) {
                case 1 -> interfaceBlock(offset, length);
                case 6 -> timedPacket(handler, offset, length, false);
                case 3 -> simplePacket(handler, offset, length);
                case 2 -> timedPacket(handler, offset, length, true);
                default -> { } // name resolution, statistics, journal, custom, section header: nothing for us
            }
            offset += length;
        }
    }

    private void interfaceBlock(long offset, long length) throws IOException {
        if (length > MAX_RECORD || !in.ensure(offset, (int) length) || length < 20) {
            warn(packets + 1, offset, "interface block unreadable; its packets will be skipped");
            return;
        }
        if (interfaces == ifLinkType.length) {
            int n = interfaces * 2;
            ifLinkType = java.util.Arrays.copyOf(ifLinkType, n);
            ifUnitsPerSecond = java.util.Arrays.copyOf(ifUnitsPerSecond, n);
            ifNsPerUnit = java.util.Arrays.copyOf(ifNsPerUnit, n);
            ifOffsetSeconds = java.util.Arrays.copyOf(ifOffsetSeconds, n);
            ifSnaplen = java.util.Arrays.copyOf(ifSnaplen, n);
        }
        int i = interfaces++;
        ifLinkType[i] = int16(offset + 8);
        ifSnaplen[i] = int32(offset + 12);
        ifUnitsPerSecond[i] = 1_000_000;
        ifNsPerUnit[i] = 1000;
        ifOffsetSeconds[i] = 0;
        long o = offset + 16;
        long end = offset + length - 4;
        while (o + 4 <= end) {
            int code = int16(o);
            int len = int16(o + 2);
            if (code == 0 || o + 4 + len > end) {
                break;
            }
            if (code == 9 && len >= 1) {
                int v = in.window().get((int) (o + 4 - in.base())) & 0xff;
                int exp = v & 0x7f;
                if ((v & 0x80) == 0) {
                    ifUnitsPerSecond[i] = exp <= 18 ? pow10(exp) : Long.MAX_VALUE;
                    ifNsPerUnit[i] = Math.pow(10, 9 - exp);
                } else {
                    ifUnitsPerSecond[i] = exp < 63 ? 1L << exp : Long.MAX_VALUE;
                    ifNsPerUnit[i] = 1e9 / Math.pow(2, exp);
                }
            } else if (code == 14 && len == 8) {
                ifOffsetSeconds[i] = littleEndian ? Long.reverseBytes(in.window().getLong((int) (o + 4 - in.base())))
                        : in.window().getLong((int) (o + 4 - in.base()));
            }
            o += 4 + ((len + 3) & ~3);
        }
    }

    private static long pow10(int e) {
        long v = 1;
        for (int k = 0; k < e; k++) {
            v *= 10;
        }
        return v;
    }

    private long timeNs(int iface, long units) {
        long ups = ifUnitsPerSecond[iface];
        long seconds = Long.divideUnsigned(units, ups);
        long rest = Long.remainderUnsigned(units, ups);
        return (seconds + ifOffsetSeconds[iface]) * 1_000_000_000L + Math.round(rest * ifNsPerUnit[iface]);
    }

    private boolean knownInterface(int iface, long offset) {
        if (iface < 0 || iface >= interfaces) {
            warn(packets + 1, offset, "packet on interface " + iface + ", which no interface block declared; skipped");
            packets++;
            return false;
        }
        return true;
    }

    /**
     * An enhanced packet block, or the obsolete packet block it replaced: the same layout but for a 16-bit
     * interface id (followed by a 16-bit drop count) where the EPB has a 32-bit one.
     */
    private void timedPacket(PacketHandler handler, long offset, long length, boolean obsolete) throws IOException {
        String name = obsolete ? "packet block" : "enhanced packet block";
        if (length < 32 || length > MAX_RECORD || !in.ensure(offset, (int) length)) {
            warn(packets + 1, offset, name + " of " + length + " bytes unreadable; skipped");
            packets++;
            return;
        }
        int iface = obsolete ? int16(offset + 8) : int32(offset + 8);
        if (!knownInterface(iface, offset)) {
            return;
        }
        long units = uint32(offset + 12) << 32 | uint32(offset + 16);
        int captured = int32(offset + 20);
        int original = int32(offset + 24);
        if (captured < 0 || 28 + (long) captured > length - 4) {
            warn(packets + 1, offset, "captured length " + Integer.toUnsignedString(captured) + " does not fit its "
                    + length + "-byte " + name + "; skipped");
            packets++;
            return;
        }
        packets++;
        lastTimeNs = timeNs(iface, units);
        handler.onPacket(packets, lastTimeNs, ifLinkType[iface], iface, in.window(), (int) (offset + 28 - in.base()),
                captured, original, offset);
    }

    /** Simple packet block: interface 0, no timestamp (the previous packet's time is used). */
    private void simplePacket(PacketHandler handler, long offset, long length) throws IOException {
        if (length < 16 || length > MAX_RECORD || !in.ensure(offset, (int) length)) {
            warn(packets + 1, offset, "simple packet block of " + length + " bytes unreadable; skipped");
            packets++;
            return;
        }
        if (!knownInterface(0, offset)) {
            return;
        }
        int original = int32(offset + 8);
        int room = (int) (length - 16);
        int captured = Math.min(room, original);
        if (ifSnaplen[0] > 0) {
            captured = Math.min(captured, ifSnaplen[0]);
        }
        packets++;
        handler.onPacket(packets, lastTimeNs, ifLinkType[0], 0, in.window(), (int) (offset + 12 - in.base()),
                Math.max(0, captured), original, offset);
    }

    // ---- fields in the file's byte order ----

    private int int32(long offset) {
        int v = in.window().getInt((int) (offset - in.base()));
        return littleEndian ? Integer.reverseBytes(v) : v;
    }

    private long uint32(long offset) {
        return int32(offset) & 0xffffffffL;
    }

    private int int16(long offset) {
        short v = in.window().getShort((int) (offset - in.base()));
        return (littleEndian ? Short.reverseBytes(v) : v) & 0xffff;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
