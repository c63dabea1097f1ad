package io.twlab.analyzer;

import io.twlab.analyzer.capture.CaptureFormatException;
import io.twlab.analyzer.capture.CaptureReader;
import io.twlab.analyzer.capture.CaptureWarning;
import io.twlab.analyzer.capture.Segment;
import io.twlab.analyzer.capture.SegmentDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static io.twlab.analyzer.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every reader and decoder edge case on files the test writes itself. */
class CaptureReaderTest {
    @TempDir
    Path dir;

    private static final int A = ip(198, 18, 0, 1);
    private static final int B = ip(198, 18, 0, 2);

    /** What one packet decoded to. */
    record Seen(long number, long timeNs, int linkType, int iface, boolean tcp, String src, String dst, int srcPort,
                int dstPort, int flags, int seq, int tsVal, int mss, int wscale, boolean sackOk, int sackBlocks,
                int payload, boolean fragmented, long fileOffset, SegmentDecoder.Outcome outcome) {
    }

    record Read(List<Seen> packets, List<CaptureWarning> warnings, String format) {
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    static Read read(Path file) throws Exception {
        List<Seen> seen = new ArrayList<>();
        SegmentDecoder decoder = new SegmentDecoder();
        Segment s = new Segment();
        try (CaptureReader r = CaptureReader.open(file)) {
            r.read((number, timeNs, linkType, iface, data, offset, captured, original, fileOffset) -> {
                boolean tcp = decoder.decode(linkType, data, offset, captured, s);
                seen.add(new Seen(number, timeNs, linkType, iface, tcp, tcp ? s.src() : null, tcp ? s.dst() : null,
                        s.srcPort, s.dstPort, s.flags, s.seq, s.tsVal, s.mss, s.windowScale, s.sackPermitted,
                        s.sackBlocks, s.payloadLength, s.fragmented, fileOffset, decoder.outcome()));
            });
            return new Read(seen, r.warnings(), r.format());
        }
    }

    private static byte[] synFrame(int tsVal) {
        return Frames.ethernet(0x0800, Frames.ipv4(A, B, Frames.tcp(40000, 443, 1000, 0, Segment.SYN,
                Frames.synOptions(tsVal, 0), 0), new byte[0], 0x4000));
    }

    @Test
    void classicPcapInBothByteOrdersAndResolutions() throws Exception {
        for (ByteOrder order : new ByteOrder[]{ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            for (boolean nanos : new boolean[]{false, true}) {
                Path f = write("c.pcap", new Frames.Pcap(order, nanos, 1, 65535)
                        .packet(1_700_000_000_123_456_789L, synFrame(77)).packet(1_700_000_001_000_000_000L, synFrame(78))
                        .bytes());
                Read r = read(f);
                assertThat(r.warnings()).isEmpty();
                assertThat(r.format()).contains(nanos ? "ns" : "µs")
                        .contains(order == ByteOrder.LITTLE_ENDIAN ? "little" : "big");
                assertThat(r.packets()).hasSize(2);
                Seen p = r.packets().get(0);
                // µs files keep 1_700_000_000.123456 s; ns files the full .123456789.
                assertThat(p.timeNs()).isEqualTo(nanos ? 1_700_000_000_123_456_789L : 1_700_000_000_123_456_000L);
                assertThat(p.tcp()).isTrue();
                assertThat(p.src()).isEqualTo("198.18.0.1");
                assertThat(p.dst()).isEqualTo("198.18.0.2");
                assertThat(p.srcPort()).isEqualTo(40000);
                assertThat(p.dstPort()).isEqualTo(443);
                assertThat(p.flags()).isEqualTo(Segment.SYN);
                assertThat(p.tsVal()).isEqualTo(77);
                assertThat(p.mss()).isEqualTo(1460);
                assertThat(p.wscale()).isEqualTo(7);
                assertThat(p.sackOk()).isTrue();
                // The second record starts after the 24-byte file header, a 16-byte record header and the frame.
                assertThat(r.packets().get(1).fileOffset()).isEqualTo(24 + 16 + synFrame(77).length);
            }
        }
    }

    @Test
    void snaplenTruncatedPacketsKeepTheirIpLengths() throws Exception {
        byte[] data = Frames.ethernet(0x0800, Frames.ipv4(A, B, Frames.tcp(40000, 443, 1, 1, Segment.ACK | Segment.PSH,
                Frames.tsOptions(5, 6), 1000), new byte[0], 0x4000));
        // 14 + 20 + 32 = 66 header bytes kept of 1066 (tcpdump -s 66).
        Path f = write("snap.pcap", new Frames.Pcap(ByteOrder.LITTLE_ENDIAN, false, 1, 66).packet(0, data, 66).bytes());
        Read r = read(f);
        assertThat(r.warnings()).isEmpty();
        assertThat(r.packets().get(0).payload()).isEqualTo(1000);
        assertThat(r.packets().get(0).tsVal()).isEqualTo(5);
    }

    @Test
    void pcapngSectionsOfBothByteOrdersInterfacesAndBlockKinds() throws Exception {
        byte[] ip = Frames.ipv4(A, B, Frames.tcp(40000, 443, 1, 1, Segment.ACK, Frames.sackOptions(10, 20), 0),
                new byte[0], 0x4000);
        byte[] ip6 = Frames.ipv6WithExtensions(1, 2, Frames.tcp(40001, 80, 2, 2, Segment.SYN | Segment.ACK,
                Frames.synOptions(9, 8), 0));
        Frames.Pcapng f = new Frames.Pcapng()
                .section(ByteOrder.LITTLE_ENDIAN)
                .iface(SegmentDecoder.LINKTYPE_ETHERNET, 9, 0)            // 0: Ethernet, ns
                .iface(SegmentDecoder.LINKTYPE_LINUX_SLL, 6, 0)           // 1: SLL, µs
                .iface(SegmentDecoder.LINKTYPE_LINUX_SLL2, 0x8a, 100)     // 2: SLL2, 2^-10 s, +100 s offset
                .other(4, 8)                                              // name resolution: skipped
                .epb(0, 1_500_000_000L, Frames.ethernet(0x0800, ip, 100, 200))    // QinQ
                .epb(1, 2_000_000L, Frames.sll(ip, 0x0800))
                .epb(2, 1024L * 3 + 512, Frames.sll2(ip6, 0x86dd))
                .spb(Frames.ethernet(0x0800, ip))
                .obsoletePacket(1, 4_000_000L, Frames.sll(ip, 0x0800))
                .other(5, 16)                                             // statistics: skipped
                .section(ByteOrder.BIG_ENDIAN)                            // interfaces start again
                .iface(SegmentDecoder.LINKTYPE_RAW, -1, 0)                // µs by default
                .iface(SegmentDecoder.LINKTYPE_NULL, 9, 0)
                .epb(0, 5_000_000L, ip)
                .epb(1, 6L, Frames.nullLoopback(ip, 2));
        Read r = read(write("multi.pcapng", f.bytes()));
        assertThat(r.warnings()).isEmpty();
        assertThat(r.format()).isEqualTo("pcapng");
        List<Seen> p = r.packets();
        assertThat(p).hasSize(7);
        assertThat(p).allMatch(Seen::tcp);
        assertThat(p.get(0).timeNs()).isEqualTo(1_500_000_000L);                  // ns units
        assertThat(p.get(1).timeNs()).isEqualTo(2_000_000_000L);                  // µs units
        assertThat(p.get(2).timeNs()).isEqualTo(103_500_000_000L);                // 3.5 s at 2^-10 + 100 s
        assertThat(p.get(2).src()).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(p.get(2).dstPort()).isEqualTo(80);
        assertThat(p.get(2).fragmented()).isFalse();
        assertThat(p.get(3).timeNs()).isEqualTo(p.get(2).timeNs());               // SPB: no timestamp of its own
        assertThat(p.get(4).timeNs()).isEqualTo(4_000_000_000L);
        assertThat(p.get(5).timeNs()).isEqualTo(5_000_000_000L);
        assertThat(p.get(6).timeNs()).isEqualTo(6L);
        assertThat(p.stream().map(Seen::iface).toList()).containsExactly(0, 1, 2, 0, 1, 0, 1);
        assertThat(p.get(0).sackBlocks()).isEqualTo(1);
        assertThat(p.get(2).mss()).isEqualTo(1460);
    }

    @Test
    void ipv4OptionsFragmentsAndNonTcp() throws Exception {
        byte[] tcp = Frames.tcp(1234, 80, 1, 0, Segment.SYN, Frames.synOptions(1, 0), 0);
        byte[] withOptions = Frames.ipv4(A, B, tcp, new byte[]{(byte) 0x94, 4, 0, 0}, 0);      // router alert
        byte[] firstFragment = Frames.ipv4(A, B, tcp, new byte[0], 0x2000);                    // MF set
        byte[] laterFragment = Frames.ipv4(A, B, tcp, new byte[0], 0x0010);                    // offset 128
        byte[] udp = Frames.ipv4(A, B, tcp, new byte[0], 0);
        udp[9] = 17;
        Path f = write("frag.pcap", new Frames.Pcap(ByteOrder.LITTLE_ENDIAN, false, 1, 65535)
                .packet(0, Frames.ethernet(0x0800, withOptions)).packet(1, Frames.ethernet(0x0800, firstFragment))
                .packet(2, Frames.ethernet(0x0800, laterFragment)).packet(3, Frames.ethernet(0x0800, udp))
                .packet(4, Frames.ethernet(0x0806, new byte[28])).bytes());
        List<Seen> p = read(f).packets();
        assertThat(p.get(0).tcp()).isTrue();
        assertThat(p.get(0).mss()).isEqualTo(1460);
        assertThat(p.get(1).tcp()).isTrue();
        assertThat(p.get(1).fragmented()).isTrue();
        assertThat(p.get(2).outcome()).isEqualTo(SegmentDecoder.Outcome.FRAGMENT);
        assertThat(p.get(3).outcome()).isEqualTo(SegmentDecoder.Outcome.NOT_TCP);
        assertThat(p.get(4).outcome()).isEqualTo(SegmentDecoder.Outcome.NOT_TCP);                // ARP
    }

    @Test
    void gzipCompressedCapturesReadTheSame() throws Exception {
        Frames.Pcap pcap = new Frames.Pcap(ByteOrder.LITTLE_ENDIAN, true, 1, 65535);
        for (int i = 0; i < 5000; i++) {
            pcap.packet(i * 1_000_000L, synFrame(i));
        }
        Path plain = write("p.pcap", pcap.bytes());
        Path gz = dir.resolve("p.pcap.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(pcap.bytes());
        }
        Read a = read(plain);
        Read b = read(gz);
        assertThat(b.format()).startsWith("gzip, pcap");
        assertThat(b.packets()).isEqualTo(a.packets());
        assertThat(b.packets()).hasSize(5000);
    }

    @Test
    void truncatedFilesKeepWhatCameBeforeWithAWarning() throws Exception {
        byte[] whole = new Frames.Pcap(ByteOrder.LITTLE_ENDIAN, false, 1, 65535).packet(0, synFrame(1))
                .packet(1, synFrame(2)).packet(2, synFrame(3)).bytes();
        int recordLength = 16 + synFrame(1).length;
        // Cut in the middle of the third packet's data.
        Read r = read(write("cut.pcap", java.util.Arrays.copyOf(whole, 24 + 2 * recordLength + 16 + 10)));
        assertThat(r.packets()).hasSize(2);
        assertThat(r.warnings()).singleElement().satisfies(w -> {
            assertThat(w.packet()).isEqualTo(3);
            assertThat(w.byteOffset()).isEqualTo(24 + 2 * recordLength);
            assertThat(w.message()).contains("cut short");
        });
        // Cut inside a record header.
        Read h = read(write("cut2.pcap", java.util.Arrays.copyOf(whole, 24 + recordLength + 5)));
        assertThat(h.packets()).hasSize(1);
        assertThat(h.warnings().get(0).message()).contains("truncated record header");
        // pcapng cut inside a block.
        byte[] ng = new Frames.Pcapng().section(ByteOrder.LITTLE_ENDIAN).iface(1, 9, 0).epb(0, 1, synFrame(1))
                .epb(0, 2, synFrame(2)).bytes();
        Read n = read(write("cut.pcapng", java.util.Arrays.copyOf(ng, ng.length - 7)));
        assertThat(n.packets()).hasSize(1);
        assertThat(n.warnings().get(0).message()).contains("runs past the end");
    }

    @Test
    void corruptLengthsUnknownLinkTypesAndShortPacketsAreWarnedAbout() throws Exception {
        byte[] bad = new Frames.Pcapng().section(ByteOrder.LITTLE_ENDIAN).iface(1, 9, 0).epb(0, 1, synFrame(1))
                .raw(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(6).putInt(13).putInt(0).array())
                .bytes();
        Read r = read(write("bad.pcapng", bad));
        assertThat(r.packets()).hasSize(1);
        assertThat(r.warnings().get(0).message()).contains("block length 13");
        // A pcap record claiming 1 GB: corrupt header, reading stops there.
        byte[] huge = new Frames.Pcap(ByteOrder.LITTLE_ENDIAN, false, 1, 65535).packet(0, synFrame(1)).bytes();
        byte[] withHuge = java.util.Arrays.copyOf(huge, huge.length + 16);
        ByteBuffer.wrap(withHuge, huge.length, 16).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(0)
                .putInt(1 << 30).putInt(1 << 30);
        Read h = read(write("huge.pcap", withHuge));
        assertThat(h.packets()).hasSize(1);
        assertThat(h.warnings().get(0).message()).contains("corrupt");
        assertThat(h.warnings().get(0).byteOffset()).isEqualTo(huge.length);
        // Unknown link type and a packet shorter than its headers: decoded as such, reported by the analysis.
        Path odd = write("odd.pcapng", new Frames.Pcapng().section(ByteOrder.LITTLE_ENDIAN).iface(147, 9, 0)
                .iface(1, 9, 0).epb(0, 1, synFrame(1)).epb(1, 2, java.util.Arrays.copyOf(synFrame(1), 30)).bytes());
        Read o = read(odd);
        assertThat(o.packets().get(0).outcome()).isEqualTo(SegmentDecoder.Outcome.UNKNOWN_LINK);
        assertThat(o.packets().get(1).outcome()).isEqualTo(SegmentDecoder.Outcome.SHORT);
        Analysis a = Analysis.run(odd);
        assertThat(a.warnings()).extracting(CaptureWarning::packet).containsExactly(1L, 2L);
        assertThat(a.warnings().get(0).message()).contains("link type 147");
        assertThat(a.warnings().get(1).message()).contains("IPv4 header needs 20 bytes");
    }

    @Test
    void notACaptureIsRefused() throws Exception {
        Path text = write("notes.txt", "this is not a capture\n".getBytes());
        assertThatThrownBy(() -> read(text)).isInstanceOf(CaptureFormatException.class)
                .hasMessageContaining("byte offset 0").hasMessageContaining("neither pcap");
        Path empty = write("empty.pcap", new byte[2]);
        assertThatThrownBy(() -> read(empty)).isInstanceOf(CaptureFormatException.class);
    }

    @Test
    void offsetsBeyondTwoGibibytes() throws Exception {
        // A sparse file: a section, an interface, a 2.5 GB block of another kind (holes, no disk used), then a
        // packet whose record starts beyond 2^31 bytes.
        Path f = dir.resolve("big.pcapng");
        byte[] head = new Frames.Pcapng().section(ByteOrder.LITTLE_ENDIAN).iface(1, 9, 0).bytes();
        long skipLength = 2_500_000_000L;
        byte[] withPacket = new Frames.Pcapng().section(ByteOrder.LITTLE_ENDIAN).iface(1, 9, 0).epb(0, 42, synFrame(5))
                .bytes();
        byte[] epb = java.util.Arrays.copyOfRange(withPacket, head.length, withPacket.length);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(head);
            ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0x0BAD).putInt((int) skipLength);
            raf.write(h.array());
            raf.seek(head.length + skipLength - 4);
            raf.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) skipLength).array());
            raf.write(epb);
        }
        Read r = read(f);
        assertThat(r.warnings()).isEmpty();
        assertThat(r.packets()).singleElement().satisfies(p -> {
            assertThat(p.fileOffset()).isEqualTo(head.length + skipLength).isGreaterThan(1L << 31);
            assertThat(p.tsVal()).isEqualTo(5);
            assertThat(p.timeNs()).isEqualTo(42);
        });
    }
}
