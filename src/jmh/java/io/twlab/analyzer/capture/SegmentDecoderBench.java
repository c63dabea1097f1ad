package io.twlab.analyzer.capture;

import io.twlab.bench.MicroBenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The capture decoder on the three frames a short connection is made of, Ethernet + IPv4 + TCP written here byte
 * by byte (RFC 791, RFC 9293 and RFC 7323 layouts, not the simulator's encoder): a SYN with MSS, SACK-permitted,
 * timestamps and window scale, a bare ACK with timestamps, and a 100-byte request with timestamps.
 */
public class SegmentDecoderBench extends MicroBenchmark {
    private final SegmentDecoder decoder = new SegmentDecoder();
    private final Segment segment = new Segment();
    private ByteBuffer frames;
    private final int[] offsets = new int[3];
    private final int[] lengths = new int[3];

    @Setup
    public void setUp() {
        frames = ByteBuffer.allocate(1024).order(ByteOrder.BIG_ENDIAN);
        byte[] synOptions = {2, 4, 0x05, (byte) 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
        byte[] tsOptions = {1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1};
        frame(0, 0x02, synOptions, 0);
        frame(1, 0x10, tsOptions, 0);
        frame(2, 0x18, tsOptions, 100);
        if (!decoder.decode(SegmentDecoder.LINKTYPE_ETHERNET, frames, offsets[0], lengths[0], segment)
                || segment.mss != 1460 || !segment.hasTimestamp) {
            throw new IllegalStateException("the SYN frame did not decode: " + decoder.outcome());
        }
    }

    private void frame(int i, int tcpFlags, byte[] options, int payload) {
        int start = frames.position();
        offsets[i] = start;
        frames.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        int tcpHeader = 20 + options.length;
        frames.put((byte) 0x45).put((byte) 0).putShort((short) (20 + tcpHeader + payload))
                .putShort((short) (i + 1)).putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0)
                .putInt(0xc0000201).putInt(0xc0a80001);
        frames.putShort((short) 40000).putShort((short) 443).putInt(1000 + i).putInt(i == 0 ? 0 : 5000)
                .put((byte) ((tcpHeader / 4) << 4)).put((byte) tcpFlags).putShort((short) 65535)
                .putShort((short) 0).putShort((short) 0).put(options);
        frames.put(new byte[payload]);
        lengths[i] = frames.position() - start;
    }

    @Benchmark
    @OperationsPerInvocation(3)
    public int decode() {
        int sum = 0;
        for (int i = 0; i < 3; i++) {
            if (decoder.decode(SegmentDecoder.LINKTYPE_ETHERNET, frames, offsets[i], lengths[i], segment)) {
                sum += segment.seq + segment.payloadLength;
            }
        }
        return sum;
    }
}
