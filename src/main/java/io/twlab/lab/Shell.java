package io.twlab.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the lab's commands (ip, nft, sysctl, ss, tcpdump) with a time limit; every call is bounded. */
final class Shell {
    private static final long LIMIT_SECONDS = 20;

    private Shell() {
    }

    record Result(int status, String out, String err) {
    }

    static Result run(String stdin, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        try {
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            // Read both streams on the side so a full pipe never blocks the command.
            StringBuilder err = new StringBuilder();
            Thread errReader = new Thread(() -> {
                try {
                    err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the process went away; what was read is kept
                }
            });
            errReader.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LabException(String.join(" ", command) + ": no answer within " + LIMIT_SECONDS + " s");
            }
            errReader.join(1000);
            return new Result(p.exitValue(), out, err.toString());
        } catch (IOException e) {
            throw new LabException(command[0] + " cannot be run (" + e.getMessage() + "); bin/test installs iproute2, "
                    + "nftables and tcpdump");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", command));
        }
    }

    /** Runs and requires success. */
    static String ok(String... command) {
        return okWithInput(null, command);
    }

    static String okWithInput(String stdin, String... command) {
        Result r = run(stdin, command);
        if (r.status() != 0) {
            throw new LabException(String.join(" ", command) + " failed (status " + r.status() + "): "
                    + r.err().strip());
        }
        return r.out();
    }

    /** {@code ip netns exec NS command...}. */
    static String[] in(String namespace, String... command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(List.of(command));
        return all.toArray(new String[0]);
    }
}
