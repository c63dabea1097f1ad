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

    /**
     * The absolute path of a tool, looked up in PATH and then in the sbin directories a non-login root shell may
     * leave out of PATH (ip, nft, sysctl live there); the name itself when not found (the error then says so).
     */
    static String resolve(String tool) {
        if (tool.indexOf('/') >= 0) {
            return tool;
        }
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(d, tool))) {
                return java.nio.file.Path.of(d, tool).toString();
            }
        }
        return tool;
    }

    static Result run(String stdin, String... command) {
        String[] resolved = command.clone();
        resolved[0] = resolve(command[0]);
        ProcessBuilder pb = new ProcessBuilder(resolved);
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

    /** {@code ip netns exec NS command...}, the command by its absolute path. */
    static String[] in(String namespace, String... command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace, resolve(command[0])));
        all.addAll(List.of(command).subList(1, command.length));
        return all.toArray(new String[0]);
    }
}
