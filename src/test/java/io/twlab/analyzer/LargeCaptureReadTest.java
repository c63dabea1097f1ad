package io.twlab.analyzer;

import io.twlab.analyzer.capture.CaptureReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plain files are mapped 8 MiB at a time, each window unmapped when the next is mapped at the record that did not
 * fit: records that straddle windows, pcapng blocks too large to buffer (skipped) and a file cut short beyond the
 * first window. The files are written
 * here byte by byte (libpcap's and the pcapng draft's layouts), 20-odd MB each, every record's bytes a function of
 * its number so that any misplaced byte shows.
 */
class LargeCaptureReadTest {
    private static final int RECORDS = 6000;

    @TempDir
    Path dir;

    /** Record i's captured length: 60 to 6,999 bytes, from a fixed seed, so boundaries fall everywhere. */
    private static int[] lengths() {
        SplittableRandom random = new SplittableRandom(7);
        int[] n = new int[RECORDS];
        for (int i = 0; i < RECORDS; i++) {
            n[i] = 60 + random.nextInt(6940);
        }
        return n;
    }

    private static byte byteOf(int record, int j) {
        return (byte) (record * 31 + j);
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A little-endian microsecond pcap of the records, snaplen 65,535; returns each record's header offset. */
    private static long[] writePcap(Path f, int[] lengths) throws IOException {
        return writePcap(f, lengths, 65535);
    }

    private static long[] writePcap(Path f, int[] lengths, int snaplen) throws IOException {
        long[] offsets = new long[lengths.length];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(f), 1 << 16)) {
            out.write(le(24).putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                    .putInt(snaplen).putInt(1).array());
            long offset = 24;
            for (int i = 0; i < lengths.length; i++) {
                offsets[i] = offset;
                out.write(le(16).putInt(1_700_000_000 + i).putInt(i % 1_000_000).putInt(lengths[i])
                        .putInt(lengths[i]).array());
                byte[] data = new byte[lengths[i]];
                for (int j = 0; j < data.length; j++) {
                    data[j] = byteOf(i, j);
                }
                out.write(data);
                offset += 16 + lengths[i];
            }
        }
        return offsets;
    }

    record Record(long number, long fileOffset, int captured, boolean bytesMatch) {
    }

    private static List<Record> read(Path f, List<String> warnings) throws Exception {
        List<Record> seen = new ArrayList<>();
        try (CaptureReader r = CaptureReader.open(f)) {
            r.read((number, timeNs, linkType, iface, data, offset, captured, original, fileOffset) -> {
                int i = (int) number - 1;
                boolean match = true;
                for (int j = 0; j < captured; j++) {
                    match &= data.get(offset + j) == byteOf(i, j);
                }
                seen.add(new Record(number, fileOffset, captured, match));
            });
            r.warnings().forEach(w -> warnings.add(w.toString()));
        }
        return seen;
    }

    @Test
    void recordsAcrossBufferRefillsReadWhole() throws Exception {
        int[] lengths = lengths();
        Path f = dir.resolve("big.pcap");
        long[] offsets = writePcap(f, lengths);
        // 6,000 records of 3.5 KB on average: about 21 MB, three 8 MiB windows at least.
        assertThat(Files.size(f)).isGreaterThan(2L * (8 << 20));
        List<String> warnings = new ArrayList<>();
        List<Record> seen = read(f, warnings);
        assertThat(warnings).isEmpty();
        assertThat(seen).hasSize(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            assertThat(seen.get(i)).isEqualTo(new Record(i + 1, offsets[i], lengths[i], true));
        }
    }

    /**
     * Records of up to the reader's 4 MiB limit, one after another: most straddle a window's end, with from a few
     * bytes to nearly 4 MiB of them in the window before, so the next window must start at the record.
     */
    @Test
    void recordsAsLargeAsTheLimitStraddleChunksWhole() throws Exception {
        int mib4 = 4 << 20;
        int[] lengths = {mib4 - 100, mib4, 3 << 20, mib4, 1, mib4 - 1, mib4, 60};
        Path f = dir.resolve("jumbo.pcap");
        long[] offsets = writePcap(f, lengths, mib4);
        List<String> warnings = new ArrayList<>();
        List<Record> seen = read(f, warnings);
        assertThat(warnings).isEmpty();
        assertThat(seen).hasSize(lengths.length);
        for (int i = 0; i < lengths.length; i++) {
            assertThat(seen.get(i)).isEqualTo(new Record(i + 1, offsets[i], lengths[i], true));
        }
    }

    @Test
    void aFileCutBeyondTheFirstRefillKeepsEveryWholeRecord() throws Exception {
        int[] lengths = lengths();
        Path whole = dir.resolve("whole.pcap");
        long[] offsets = writePcap(whole, lengths);
        // Cut 10 bytes into record 4000's data (past 8 MiB: 3,999 records of ~3.5 KB are ~14 MB).
        int cutRecord = 3999;
        assertThat(offsets[cutRecord]).isGreaterThan(8 << 20);
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, java.util.Arrays.copyOf(bytes, (int) offsets[cutRecord] + 16 + 10));
        List<String> warnings = new ArrayList<>();
        List<Record> seen = read(cut, warnings);
        assertThat(seen).hasSize(cutRecord);
        assertThat(seen).allMatch(Record::bytesMatch);
        assertThat(warnings).singleElement().asString()
                .contains("packet " + (cutRecord + 1)).contains("byte offset " + offsets[cutRecord])
                .contains("10 of " + lengths[cutRecord]);
    }

    @Test
    void aPcapngBlockLargerThanAnyRecordIsSkippedAndReadingGoesOn() throws Exception {
        Path f = dir.resolve("skip.pcapng");
        int big = 9 << 20;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(f), 1 << 16)) {
            // Section header block (28 bytes) and one Ethernet interface (20 bytes).
            out.write(le(28).putInt(0x0a0d0d0a).putInt(28).putInt(0x1a2b3c4d).putShort((short) 1)
                    .putShort((short) 0).putLong(-1).putInt(28).array());
            out.write(le(20).putInt(1).putInt(20).putShort((short) 1).putShort((short) 0).putInt(65535)
                    .putInt(20).array());
            // Enhanced packet, then a 9 MiB block of an unknown type (larger than the buffer), then another packet.
            writeEpb(out, 0, 100);
            out.write(le(8).putInt(0x00000bad).putInt(big).array());
            out.write(new byte[big - 12]);
            out.write(le(4).putInt(big).array());
            writeEpb(out, 1, 200);
        }
        List<String> warnings = new ArrayList<>();
        List<Record> seen = read(f, warnings);
        assertThat(seen).extracting(Record::captured).containsExactly(100, 200);
        assertThat(seen).allMatch(Record::bytesMatch);
        assertThat(seen.get(1).fileOffset()).isEqualTo(28 + 20 + (32 + 100) + big);
    }

    private static void writeEpb(OutputStream out, int record, int length) throws IOException {
        int padded = (length + 3) & ~3;
        int total = 32 + padded;
        ByteBuffer b = le(total).putInt(6).putInt(total).putInt(0).putInt(0).putInt(record).putInt(length)
                .putInt(length);
        for (int j = 0; j < length; j++) {
            b.put(byteOf(record, j));
        }
        b.position(28 + padded);
        b.putInt(total);
        out.write(b.array());
    }
}
