package io.twlab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "collect", mixinStandardHelpOptions = true,
        description = "Gather, read-only, what twlab advise reads on this host (counters twice, sysctls, sockets, "
                + "conntrack, ipvsadm, NAT rules, optionally a short capture), or print the shell script that does.")
final class CollectCommand implements Callable<Integer> {
    static final String SCRIPT = "/io/twlab/advise/twlab-collect.sh";

    @Option(names = "--script", description = "print the POSIX shell script (to run where twlab is not installed)")
    boolean script;

    @Option(names = "--out", paramLabel = "DIR", description = "write the files into DIR/<hostname>/")
    Path out;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "seconds between the two counter readings; default ${DEFAULT-VALUE}")
    int interval;

    @Option(names = "--capture", paramLabel = "PACKETS", defaultValue = "0",
            description = "also capture this many TCP packets with tcpdump (0: no capture); default ${DEFAULT-VALUE}")
    int capture;

    @Option(names = "--capture-filter", paramLabel = "FILTER", defaultValue = "tcp",
            description = "tcpdump filter for the capture, e.g. 'tcp port 443'; default ${DEFAULT-VALUE}")
    String captureFilter;

    static String script() {
        try (InputStream in = CollectCommand.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException("the collect script is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (script) {
            System.out.print(script());
            return 0;
        }
        if (out == null) {
            throw new UsageException("twlab collect needs --out DIR (or --script to print the script)");
        }
        if (interval < 1 || interval > 3600) {
            throw new UsageException("--interval: expected 1-3600 seconds, got " + interval);
        }
        if (capture < 0 || capture > 10_000_000) {
            throw new UsageException("--capture: expected 0-10000000 packets, got " + capture);
        }
        OutputFiles.prepareDirectory(out);
        Path sh = Files.createTempFile("twlab-collect", ".sh");
        try {
            Files.writeString(sh, script());
            List<String> cmd = new ArrayList<>(List.of("/bin/sh", sh.toString(), "-o", out.toString(), "-i",
                    String.valueOf(interval)));
            if (capture > 0) {
                cmd.addAll(List.of("-c", String.valueOf(capture), "-f", captureFilter));
            }
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            int rc = p.waitFor();
            if (rc != 0) {
                throw new UsageException("the collect script exited with status " + rc);
            }
        } finally {
            Files.deleteIfExists(sh);
        }
        return 0;
    }
}
