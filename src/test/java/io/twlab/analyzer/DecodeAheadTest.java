package io.twlab.analyzer;

import io.twlab.analyzer.capture.CaptureReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The second thread's hand-over: segments in capture order across many batches (2,048 each), the read's counts
 * complete when it returns, and a consumer that fails stops the decoding thread, and waits for it, before the
 * failure reaches the caller.
 * The capture is built here frame by frame ({@link Frames}); every tenth packet is UDP, so counts differ from the
 * packet numbers.
 */
class DecodeAheadTest {
    private static final int PACKETS = 30_000;

    @TempDir
    Path dir;

    private Path capture() throws Exception {
        Frames.Pcap pcap = new Frames.Pcap(ByteOrder.LITTLE_ENDIAN, true, 1, 65535);
        for (int i = 0; i < PACKETS; i++) {
            int client = Frames.ip(10, 0, i >> 8 & 0xff, i & 0xff);
            byte[] frame;
            if (i % 10 == 9) {
                byte[] udp = new byte[8];
                byte[] ip = Frames.ipv4(client, Frames.ip(30, 1, 1, 1), udp, new byte[0], 0);
                ip[9] = 17; // protocol UDP (the checksum is not checked)
                frame = Frames.ethernet(0x0800, ip);
            } else {
                byte[] tcp = Frames.tcp(1024 + i % 60000, 443, i, 0, 0x02, Frames.synOptions(i, 0), 0);
                frame = Frames.ethernet(0x0800, Frames.ipv4(client, Frames.ip(30, 1, 1, 1), tcp, new byte[0], 0));
            }
            pcap.packet(1_700_000_000_000_000_000L + i * 1_000_000L, frame);
        }
        Path f = dir.resolve("many.pcap");
        Files.write(f, pcap.bytes());
        return f;
    }

    @Test
    void segmentsArriveInCaptureOrderWithTheReadsCounts() throws Exception {
        Path f = capture();
        Analysis a = newAnalysis(f);
        List<Long> numbers = new ArrayList<>();
        List<Integer> seqs = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(f)) {
            new DecodeAhead(a, reader, null).forEach(s -> {
                numbers.add(s.number);
                seqs.add(s.seq);
            });
        }
        // 30,000 packets, one in ten UDP: 27,000 TCP segments, over 13 full batches and a partial one.
        assertThat(numbers).hasSize(27_000);
        assertThat(a.tcpSegments).isEqualTo(27_000);
        assertThat(a.notTcp).isEqualTo(3_000);
        assertThat(a.packets).isEqualTo(PACKETS);
        for (int k = 0; k < numbers.size(); k++) {
            // Segment k is packet i = k + k / 9 (every tenth packet skipped), numbered i + 1, with seq i.
            long i = k + k / 9;
            assertThat(numbers.get(k)).isEqualTo(i + 1);
            assertThat(seqs.get(k)).isEqualTo((int) i);
        }
    }

    @Test
    void aFailingConsumerStopsTheDecodingThread() throws Exception {
        Path f = capture();
        Analysis a = newAnalysis(f);
        int[] seen = {0};
        try (CaptureReader reader = CaptureReader.open(f)) {
            assertThatThrownBy(() -> new DecodeAhead(a, reader, null).forEach(s -> {
                if (++seen[0] == 3000) {
                    throw new IllegalStateException("detector bug");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("detector bug");
            // With 24,000 segments still to come and four batches in all, the decoding thread was blocked waiting
            // for a free batch. It must have ended before forEach threw: closing the reader, next, unmaps the window
            // that thread decodes from.
            assertThat(decodingThreadAlive()).isFalse();
        }
        assertThat(seen[0]).isEqualTo(3000);
    }

    private static boolean decodingThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("twlab-decode-ahead") && t.isAlive());
    }

    private static Analysis newAnalysis(Path f) throws Exception {
        var c = Analysis.class.getDeclaredConstructor(Path.class);
        c.setAccessible(true);
        return c.newInstance(f);
    }
}
