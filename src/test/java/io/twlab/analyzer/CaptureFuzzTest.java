package io.twlab.analyzer;

import io.twlab.analyzer.capture.CaptureFormatException;
import io.twlab.analyzer.capture.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.twlab.analyzer.Frames.ip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mutation fuzzing of the capture readers, decoder and detectors: valid pcap and pcapng files (and the corpus of
 * earlier crashers under src/test/resources/fuzz-corpus/) with bytes flipped, fields overwritten with extreme
 * values, ranges cut or repeated. Every input must end in a result or a CaptureFormatException: no other
 * exception, no hang. Seeded, so a failure repeats; a failing input is written to target/fuzz-crashers/ to be
 * added to the corpus. {@code -Dtwlab.fuzz.iterations=N} runs longer (default 400 per seed file).
 */
class CaptureFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("twlab.fuzz.iterations", 400);

    @TempDir
    Path dir;

    static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        int a = ip(198, 18, 0, 1);
        int b = ip(198, 18, 0, 2);
        Frames.Pcap pcap = new Frames.Pcap(ByteOrder.LITTLE_ENDIAN, true, 1, 65535);
        Frames.Pcapng ng = new Frames.Pcapng().section(ByteOrder.BIG_ENDIAN).iface(1, 9, 0).iface(113, 6, 0);
        for (int i = 0; i < 12; i++) {
            // A handshake, a close, then the same tuple again: exercises generations and the PAWS pattern.
            int flags = new int[]{Segment.SYN, Segment.SYN | Segment.ACK, Segment.ACK, Segment.FIN | Segment.ACK}[i % 4];
            boolean fromA = i % 4 != 1;
            byte[] ipb = Frames.ipv4(fromA ? a : b, fromA ? b : a, Frames.tcp(fromA ? 40000 : 443, fromA ? 443 : 40000,
                    1000 + i, 2000 + i, flags, Frames.synOptions(100 - i, 7), i % 3), new byte[0], 0x4000);
            pcap.packet(i * 10_000_000L, Frames.ethernet(0x0800, ipb, i % 2 == 0 ? new int[0] : new int[]{5}));
            ng.epb(i % 2, i, i % 2 == 0 ? Frames.ethernet(0x0800, ipb) : Frames.sll(ipb, 0x0800));
        }
        ng.spb(Frames.ethernet(0x86dd, Frames.ipv6WithExtensions(1, 2, Frames.tcp(1, 2, 3, 4, Segment.SYN,
                Frames.synOptions(1, 0), 0))));
        seeds.add(pcap.bytes());
        seeds.add(ng.bytes());
        Path corpus = Path.of("src/test/resources/fuzz-corpus");
        if (Files.isDirectory(corpus)) {
            try (Stream<Path> files = Files.list(corpus)) {
                for (Path f : files.sorted().toList()) {
                    seeds.add(Files.readAllBytes(f));
                }
            }
        }
        return seeds;
    }

    static byte[] mutate(byte[] in, SplittableRandom r) {
        byte[] b = in.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> {
                    // An extreme 32-bit value where a length or a count might be.
                    int v = new int[]{0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 12, 0x7fff, 65536}[r.nextInt(7)];
                    for (int k = 0; k < 4 && at + k < b.length; k++) {
                        b[at + k] = (byte) (v >>> (8 * k));
                    }
                }
                case 3 -> b = java.util.Arrays.copyOf(b, at);                       // cut
                case 4 -> {
                    int len = Math.min(b.length - at, 1 + r.nextInt(64));           // repeat a range
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, at + len);
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    b = c;
                }
                default -> {
                    int len = Math.min(b.length - at, 1 + r.nextInt(16));           // delete a range
                    byte[] c = new byte[b.length - len];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + len, c, at, b.length - at - len);
                    b = c;
                }
            }
        }
        return b;
    }

    @Test
    void mutatedCapturesNeverCrashTheAnalyzer() throws Exception {
        List<byte[]> seeds = seeds();
        Path f = dir.resolve("fuzz.bin");
        long analyzed = 0;
        for (int s = 0; s < seeds.size(); s++) {
            SplittableRandom random = new SplittableRandom(20261123L + s);
            for (int i = 0; i < ITERATIONS; i++) {
                byte[] input = mutate(seeds.get(s), random);
                Files.write(f, input);
                try {
                    Analysis.run(f);
                    analyzed++;
                } catch (CaptureFormatException expected) {
                    // Not a capture any more: refused with a message, as it should be.
                } catch (RuntimeException | IOException | StackOverflowError e) {
                    Path crasher = Path.of("target", "fuzz-crashers", "seed" + s + "-" + i + ".bin");
                    Files.createDirectories(crasher.getParent());
                    Files.write(crasher, input);
                    throw new AssertionError("seed file " + s + ", mutation " + i + " crashed the analyzer; input saved "
                            + "to " + crasher + " (add it to src/test/resources/fuzz-corpus/)", e);
                }
            }
        }
        // Most mutations still leave something readable: the fuzzing reaches the decoder and detectors.
        assertThat(analyzed).isGreaterThan(seeds.size() * ITERATIONS / 2L);
    }
}
