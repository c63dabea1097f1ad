package io.twlab.trace;

import io.twlab.net.NetNode;
import io.twlab.net.Packet;
import io.twlab.net.PacketObserver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes the packets put on a link as a classic pcap file with nanosecond timestamps (magic 0xa1b23c4d), each
 * framed by {@link FrameEncoder} as tcpdump on the sending interface would see it.
 * A filter on port, host and time keeps day-long runs to what was asked for.
 */
public final class PcapWriter extends CaptureFile implements PacketObserver {
    /** Record header (16 bytes, written once the length is known) followed by the frame. */
    private final byte[] record = new byte[16 + FrameEncoder.MAX_FRAME];
    private final FrameEncoder encoder = new FrameEncoder(record, 16);
    private final ByteBuffer recordHeader = ByteBuffer.wrap(record, 0, 16).order(ByteOrder.LITTLE_ENDIAN);

    public PcapWriter(Path file, CaptureFilter filter) {
        super(file, filter, ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xa1b23c4d)
                .putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
                .putInt(FrameEncoder.LINKTYPE_ETHERNET).array());
    }

    @Override
    public void onTransmit(long timeNs, NetNode from, NetNode to, Packet p, boolean lost) {
        if (!filter.accepts(timeNs, p)) {
            return;
        }
        int frameLength = encoder.encode(p);
        recordHeader.putInt(0, (int) (timeNs / 1_000_000_000L)).putInt(4, (int) (timeNs % 1_000_000_000L))
                .putInt(8, frameLength).putInt(12, frameLength);
        writeRecord(record, 16 + frameLength);
    }
}
