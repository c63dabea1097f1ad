package io.twlab.trace;

import io.twlab.net.NetNode;
import io.twlab.net.Packet;
import io.twlab.net.PacketObserver;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes several capture points into one pcapng file (little-endian section): a Section Header Block, one
 * Interface Description Block per capture point (named after it, nanosecond resolution), then an Enhanced Packet
 * Block per packet on the interface it was seen on, framed by {@link FrameEncoder}. Each capture point observes its
 * links through {@link #capturePoint(int)}.
 */
public final class PcapngWriter extends CaptureFile {
    private static final int SHB = 0x0A0D0D0A;
    private static final int IDB = 1;
    private static final int EPB = 6;
    private static final short OPT_END = 0;
    private static final short OPT_SHB_USERAPPL = 4;
    private static final short OPT_IF_NAME = 2;
    private static final short OPT_IF_DESCRIPTION = 3;
    private static final short OPT_IF_TSRESOL = 9;

    /** EPB header (28 bytes) followed by the frame, its padding and the trailing length. */
    private final byte[] block = new byte[28 + FrameEncoder.MAX_FRAME + 3 + 4];
    private final FrameEncoder encoder = new FrameEncoder(block, 28);
    private final ByteBuffer view = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
    private final int interfaces;

    /** Opens {@code file} and declares one interface per name (e.g. "partner-nat:nginx"), with its description. */
    public PcapngWriter(Path file, CaptureFilter filter, List<String> names, List<String> descriptions) {
        super(file, filter, header(names, descriptions));
        this.interfaces = names.size();
    }

    /** The section header block and one interface description block per capture point. */
    private static byte[] header(List<String> names, List<String> descriptions) {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        ByteBuffer shb = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        shb.putInt(SHB).putInt(0).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1);
        option(shb, OPT_SHB_USERAPPL, "twlab simulate".getBytes(StandardCharsets.UTF_8));
        finishBlock(shb, header);
        for (int i = 0; i < names.size(); i++) {
            ByteBuffer idb = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
            idb.putInt(IDB).putInt(0).putShort((short) FrameEncoder.LINKTYPE_ETHERNET).putShort((short) 0)
                    .putInt(SNAPLEN);
            option(idb, OPT_IF_NAME, names.get(i).getBytes(StandardCharsets.UTF_8));
            option(idb, OPT_IF_DESCRIPTION, descriptions.get(i).getBytes(StandardCharsets.UTF_8));
            option(idb, OPT_IF_TSRESOL, new byte[]{9}); // 10^-9 s: nanoseconds
            finishBlock(idb, header);
        }
        return header.toByteArray();
    }

    /** Adds an option (code, length, value padded to 4 bytes). */
    private static void option(ByteBuffer b, short code, byte[] value) {
        b.putShort(code).putShort((short) value.length).put(value);
        while (b.position() % 4 != 0) {
            b.put((byte) 0);
        }
    }

    /** Ends the options, fills in the block's length at both ends and appends it to {@code to}. */
    private static void finishBlock(ByteBuffer b, ByteArrayOutputStream to) {
        b.putShort(OPT_END).putShort((short) 0);
        int length = b.position() + 4;
        b.putInt(length);
        b.putInt(4, length);
        to.write(b.array(), 0, length);
    }

    /** The observer to attach to the links of capture point {@code id} (its index in the names given). */
    public PacketObserver capturePoint(int id) {
        if (id < 0 || id >= interfaces) {
            throw new IllegalArgumentException("no interface " + id);
        }
        return (long timeNs, NetNode from, NetNode to, Packet p, boolean lost) -> write(id, timeNs, p);
    }

    private void write(int interfaceId, long timeNs, Packet p) {
        if (!filter.accepts(timeNs, p)) {
            return;
        }
        int frameLength = encoder.encode(p);
        int padded = (frameLength + 3) & ~3;
        for (int i = 28 + frameLength; i < 28 + padded; i++) {
            block[i] = 0;
        }
        int length = 28 + padded + 4;
        view.putInt(0, EPB).putInt(4, length).putInt(8, interfaceId).putInt(12, (int) (timeNs >>> 32))
                .putInt(16, (int) timeNs).putInt(20, frameLength).putInt(24, frameLength).putInt(28 + padded, length);
        writeRecord(block, length);
    }
}
