package io.twlab.trace;

import io.twlab.cli.CliRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Captures written by `simulate --capture` read back with Debian's tshark (bin/test installs it): every packet
 * decodes with valid checksums, timestamps are visible, Wireshark flags the reused ports, and a PAWS-rejected SYN
 * shows seed 000's sequence.
 */
class PcapTsharkTest {
    @TempDir
    Path dir;

    private static List<String> tshark(Path file, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("tshark failed: " + err).isZero();
        // tshark run as root prints one notice; anything else on stderr is a warning about the file.
        assertThat(err.lines().filter(l -> !l.contains("Running as user")).toList()).isEmpty();
        return out.lines().toList();
    }

    @Test
    void tsharkReadsTheCaptureAndSeesTheRejectedSyn() throws Exception {
        Path out = dir.resolve("run");
        // 3000 NAT ports at 200 conn/s: a port returns every 15 s - after the firewall's 10 s hold, into nginx's
        // 60 s TIME_WAIT - so a 25 s capture holds both uses of many tuples.
        int status = CliRunner.run("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "workloads.partner.rate=200",
                "--set", "duration=27s", "--set", "nats.partner-nat.ports=2048-5047", "--set",
                "workloads.partner.connect-timeout=0", "--out", out.toString(), "--capture", "partner-nat:nginx",
                "--capture-window", "0s..25s", "--quiet");
        assertThat(status).isZero();
        Path pcap = out.resolve("capture-partner-nat-nginx.pcap");
        List<String> rows = tshark(pcap, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-o", "tcp.relative_sequence_numbers:FALSE", "-T", "fields", "-E", "separator=/t",
                "-e", "frame.time_epoch", "-e", "ip.checksum.status", "-e", "tcp.checksum.status",
                "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags.str", "-e", "tcp.seq", "-e", "tcp.ack",
                "-e", "tcp.options.timestamp.tsval", "-e", "tcp.options.timestamp.tsecr");
        // 25 s x 200 conn/s x 9 packets = 45,000, plus the rejected SYNs' extra packets.
        assertThat(rows).hasSizeGreaterThan(40_000);
        // Checksums verified by tshark (status 1 = good) on every packet, times inside the 25 s window.
        assertThat(rows).allMatch(r -> r.split("\t")[1].equals("1") && r.split("\t")[2].equals("1"));
        assertThat(rows).allMatch(r -> Double.parseDouble(r.split("\t")[0]) < 25.0);
        // Wireshark's own expert info flags the reused 4-tuples.
        assertThat(tshark(pcap, "-Y", "tcp.analysis.reused_ports")).hasSizeGreaterThan(1000);
        // Seed 000's sequence, as decoded by tshark: SYN, then a bare ACK echoing a TSecr above the SYN's TSval
        // (the TSval went backwards), then the client's RST with seq = that ACK's ack number.
        Map<String, String[]> lastSyn = new HashMap<>();
        Map<String, String[]> staleAck = new HashMap<>();
        int sequences = 0;
        for (String r : rows) {
            String[] f = r.split("\t", -1);
            boolean fromClient = f[4].equals("443");
            String port = fromClient ? f[3] : f[4];
            String flags = f[5];
            if (fromClient && flags.contains("S") && !flags.contains("A")) {
                lastSyn.put(port, f);
            } else if (!fromClient && flags.endsWith("·······A····") && lastSyn.containsKey(port) && !f[9].isEmpty()
                    && Long.parseLong(f[9]) > Long.parseLong(lastSyn.get(port)[8])) {
                staleAck.put(port, f);
            } else if (fromClient && flags.contains("R") && staleAck.containsKey(port)
                    && f[6].equals(staleAck.get(port)[7])) {
                sequences++;
                staleAck.remove(port);
            }
        }
        assertThat(sequences).isGreaterThan(100);
    }

    @Test
    void captureFiltersBoundTheOutput() throws Exception {
        Path out = dir.resolve("small");
        int status = CliRunner.run("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "workloads.partner.rate=700",
                "--set", "duration=60s", "--out", out.toString(), "--capture", "partner-nat:nginx",
                "--capture-window", "30s..31s", "--capture-port", "443", "--quiet");
        assertThat(status).isZero();
        Path pcap = out.resolve("capture-partner-nat-nginx.pcap");
        // One second of 700 conn/s, 9 packets each: about 6300 packets, a few MB at most.
        List<String> rows = tshark(pcap, "-T", "fields", "-e", "frame.time_epoch");
        assertThat(rows.size()).isBetween(5000, 7500);
        assertThat(rows).allMatch(r -> Double.parseDouble(r) >= 30.0 && Double.parseDouble(r) < 31.0);
        assertThat(Files.size(pcap)).isLessThan(5_000_000);
        assertThat(CliRunner.run("simulate", "scenarios/nat-paws-2.6.yaml", "--capture", "partner-nat:nginx")).isEqualTo(2);
    }

    @Test
    void pcapngHoldsOneInterfacePerCapturePoint() throws Exception {
        Path out = dir.resolve("ng");
        // 100 conn/s for 3 s, both sides of the NAT: inside, packets carry the partner hosts' own addresses
        // (10.0.0.11-18); outside, the NAT's 20.1.1.1.
        assertThat(CliRunner.run("simulate", "scenarios/nat-paws-2.6.yaml", "--set", "workloads.partner.rate=100",
                "--set", "duration=3s", "--out", out.toString(), "--capture", "partner:partner-nat", "--capture",
                "partner-nat:nginx", "--capture-format", "pcapng", "--quiet")).isZero();
        Path ng = out.resolve("capture.pcapng");
        List<String> rows = tshark(ng, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-T",
                "fields", "-E", "separator=/t", "-e", "frame.interface_id", "-e", "frame.interface_name", "-e",
                "ip.src", "-e", "ip.dst", "-e", "tcp.checksum.status", "-e", "frame.time_epoch");
        Map<String, List<String[]>> byInterface = new HashMap<>();
        for (String r : rows) {
            String[] f = r.split("\t");
            byInterface.computeIfAbsent(f[0] + "/" + f[1], k -> new ArrayList<>()).add(f);
        }
        assertThat(byInterface.keySet()).containsExactlyInAnyOrder("0/partner:partner-nat", "1/partner-nat:nginx");
        // Every packet crosses both points, but those in flight when the run stops have crossed only one: at 100
        // conn/s with ~4.5 ms round trips, a handful at most. 3 s x 100 conn/s x 9 packets = 2,700 per point.
        int inside = byInterface.get("0/partner:partner-nat").size();
        int outside = byInterface.get("1/partner-nat:nginx").size();
        assertThat(inside).isBetween(2_650, 2_750);
        assertThat(Math.abs(inside - outside)).isLessThanOrEqualTo(10);
        assertThat(byInterface.get("0/partner:partner-nat")).allMatch(f -> f[2].startsWith("10.0.0.") || f[3].startsWith("10.0.0."));
        assertThat(byInterface.get("1/partner-nat:nginx")).allMatch(f -> f[2].equals("20.1.1.1") || f[3].equals("20.1.1.1"));
        assertThat(rows).allMatch(r -> r.split("\t")[4].equals("1"));
        // Nanosecond resolution declared per interface (if_tsresol 9): tshark prints nine decimals (six for µs).
        assertThat(rows).allMatch(r -> r.split("\t")[5].matches("\\d+\\.\\d{9}"));
    }
}
