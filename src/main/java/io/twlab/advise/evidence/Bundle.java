package io.twlab.advise.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What an SRE collected, grouped by host: files and directories in, one {@link HostEvidence} per host out. A file
 * belongs to the host its collect header names; without a header, to the directory it sits in
 * ({@code bundle/<host>/...}). Each file is recognised by its content; unknown files are listed as ignored and
 * lines a reader cannot read are reported with file:line.
 */
public final class Bundle {
    private static final long MAX_TEXT_BYTES = 64L << 20;
    private static final List<EvidenceReader> READERS = List.of(new KernelReader(), new NstatReader(),
            new ProcNetCountersReader(), new NetstatSummaryReader(), new IpvsadmReader(), new ConntrackReader(),
            new SsReader(), new NatRuleReader(), new SysctlReader());

    public final Map<String, HostEvidence> hosts = new LinkedHashMap<>();
    public final List<String> ignored = new ArrayList<>();
    /** What twlab collect noted it skipped, per host. */
    public final List<String> notes = new ArrayList<>();
    public final List<EvidenceReader.Problem> problems = new ArrayList<>();
    /** Seconds between two readings when the files carry no collect header (--interval). */
    private final double intervalSeconds;

    private Bundle(double intervalSeconds) {
        this.intervalSeconds = intervalSeconds;
    }

    /** Thrown for an input that does not exist or cannot be read at all. */
    public static final class BundleException extends RuntimeException {
        public BundleException(String message) {
            super(message);
        }
    }

    public static Bundle read(List<Path> inputs, double intervalSeconds) {
        Bundle b = new Bundle(intervalSeconds);
        for (Path in : inputs) {
            if (!Files.exists(in)) {
                throw new BundleException(in + ": no such file or directory; give the files or the directory "
                        + "that twlab collect wrote");
            }
            if (Files.isDirectory(in)) {
                List<Path> files;
                try (Stream<Path> s = Files.walk(in)) {
                    files = s.filter(Files::isRegularFile).sorted().toList();
                } catch (IOException e) {
                    throw new BundleException(in + ": cannot list the directory (" + e.getMessage() + ")");
                }
                for (Path f : files) {
                    Path rel = in.relativize(f);
                    String dirHost = rel.getNameCount() > 1 ? rel.getName(0).toString()
                            : in.toAbsolutePath().normalize().getFileName().toString();
                    b.readFile(f, dirHost);
                }
            } else {
                Path parent = in.toAbsolutePath().normalize().getParent();
                b.readFile(in, parent == null || parent.getFileName() == null ? "host" : parent.getFileName().toString());
            }
        }
        for (HostEvidence h : b.hosts.values()) {
            h.counters.sort(Comparator.comparingLong(CounterSnapshot::epochSeconds));
            h.conntrackStats.sort(Comparator.comparingLong(HostEvidence.ConntrackStats::epochSeconds));
        }
        return b;
    }

    private void readFile(Path file, String dirHost) {
        String name = file.toString();
        byte[] head = new byte[4];
        int got;
        try (InputStream in = Files.newInputStream(file)) {
            got = in.readNBytes(head, 0, 4);
        } catch (IOException e) {
            ignored.add(name + " (cannot be read: " + e.getMessage() + ")");
            return;
        }
        if (got == 4 && isCapture(head)) {
            host(dirHost).captures.add(file);
            host(dirHost).files.put(name, "capture");
            return;
        }
        String text;
        try {
            if (Files.size(file) > MAX_TEXT_BYTES) {
                ignored.add(name + " (over 64 MB: not a command's output twlab reads)");
                return;
            }
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            ignored.add(name + " (binary, and not a pcap or pcapng capture)");
            return;
        } catch (IOException e) {
            ignored.add(name + " (cannot be read: " + e.getMessage() + ")");
            return;
        }
        List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        TextFile.Header header = lines.isEmpty() ? null : TextFile.Header.parse(lines.get(0));
        TextFile tf = new TextFile(name, header, header == null ? lines : lines.subList(1, lines.size()));
        String hostName = header != null ? header.host() : dirHost;
        if (header != null && header.command().equals("notes")) {
            // twlab collect's own notes: what it skipped on this host, and why.
            tf.contentLines().forEach(l -> notes.add(hostName + ": " + l.replaceFirst("^# twlab-collect: ", "")));
            host(hostName).files.put(name, "collect-notes");
            return;
        }
        if (tf.contentLines().isEmpty()) {
            if (header != null) {
                // A command that printed nothing said something too: no NAT rules, no conntrack entries.
                host(hostName).files.put(name, "empty output of " + header.command());
            } else {
                ignored.add(name + " (empty)");
            }
            return;
        }
        for (EvidenceReader r : READERS) {
            if (r.recognises(tf)) {
                HostEvidence h = host(hostName);
                r.read(tf, h, problems);
                h.files.put(name, r.format());
                return;
            }
        }
        ignored.add(name + " (not a format twlab reads" + (header != null ? ": " + header.command() : "") + ")");
    }

    private static boolean isCapture(byte[] b) {
        int magic = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        return magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d || magic == 0x4d3cb2a1
                || magic == 0x0a0d0d0a || (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    private HostEvidence host(String name) {
        return hosts.computeIfAbsent(name, HostEvidence::new);
    }

    /**
     * The change of {@code counter} (nstat name) on {@code host} between its first and last timed readings. nstat
     * (without -z) and netstat -s leave zero counters out, so a reading of theirs that lacks a counter another
     * reading has counts it as 0; /proc/net/netstat always lists every field.
     */
    public CounterChange change(HostEvidence host, String counter) {
        if (host.counters.stream().noneMatch(s -> s.values().containsKey(counter))) {
            return null;
        }
        CounterSnapshot first = null;
        CounterSnapshot last = null;
        for (CounterSnapshot s : host.counters) {
            if (s.values().containsKey(counter) || omitsZeros(s)) {
                if (first == null) {
                    first = s;
                }
                last = s;
            }
        }
        double seconds = first == last ? 0 : last.epochSeconds() > 0 && first.epochSeconds() > 0
                ? last.epochSeconds() - first.epochSeconds() : intervalSeconds * (host.counters.indexOf(last)
                - host.counters.indexOf(first));
        Sourced<Long> a = value(first, counter);
        Sourced<Long> z = value(last, counter);
        return new CounterChange(counter, first == last ? 0 : a.value(), z.value(), Math.max(0, seconds), a.source(),
                z.source());
    }

    private static boolean omitsZeros(CounterSnapshot s) {
        return !s.format().equals("proc-net-snmp");
    }

    private static Sourced<Long> value(CounterSnapshot s, String counter) {
        Sourced<Long> v = s.get(counter);
        return v != null ? v : new Sourced<>(0L, s.file(), 0);
    }

    /** The first of {@code counters} (alternative names of one kernel counter) that the host has. */
    public CounterChange change(HostEvidence host, String... counters) {
        CounterChange best = null;
        for (String c : counters) {
            CounterChange ch = change(host, c);
            if (ch != null && (best == null || ch.delta() > best.delta())) {
                best = ch;
            }
        }
        return best;
    }

    /** The two conntrack -S readings furthest apart in time (or the only one twice). */
    public static HostEvidence.ConntrackStats[] conntrackSpan(HostEvidence host) {
        if (host.conntrackStats.isEmpty()) {
            return null;
        }
        return new HostEvidence.ConntrackStats[]{host.conntrackStats.get(0),
                host.conntrackStats.get(host.conntrackStats.size() - 1)};
    }
}
