package io.twlab.cli;

import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Profiles;
import io.twlab.model.Capacity;
import io.twlab.report.Json;
import io.twlab.scenario.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "capacity", mixinStandardHelpOptions = true,
        description = "Highest steady rate of short connections before a 4-tuple is reused while the server "
                + "still holds it in TIME_WAIT, from the kernel's TIME_WAIT reaper under that load.")
final class CapacityCommand implements Callable<Integer> {
    @Option(names = "--kernel", required = true, description = "server kernel profile")
    String kernel;

    @Option(names = "--ports", required = true, paramLabel = "A-B", description = "source port range, e.g. 2048-65535")
    String ports;

    /** 4-tuples the reaper run can hold in a default heap (about 90 bytes per TIME_WAIT entry). */
    private static final long MAX_TUPLES = 20_000_000;

    @Option(names = "--src-ips", defaultValue = "1", description = "client (public) source addresses")
    int srcIps;

    @Option(names = "--dst-ips", defaultValue = "1", description = "server addresses (VIPs)")
    int dstIps;

    @Option(names = "--dst-ports", defaultValue = "1", description = "server ports")
    int dstPorts;

    @Option(names = "--hz", description = "CONFIG_HZ of the server kernel (default: the profile's)")
    Integer hz;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() {
        KernelProfile profile = Profiles.get(kernel);
        if (profile == null) {
            throw new UsageException("--kernel: unknown profile '" + kernel + "'; valid: " + String.join(", ", Profiles.names()));
        }
        int[] range = Units.portRange(ports);
        if (range == null || range[0] < 1 || range[1] > 65535 || range[0] > range[1]) {
            throw new UsageException("--ports: expected LOW-HIGH within 1-65535, e.g. 2048-65535; got '" + ports + "'");
        }
        if (srcIps < 1 || dstIps < 1 || dstPorts < 1) {
            throw new UsageException("--src-ips, --dst-ips and --dst-ports must be at least 1");
        }
        int effectiveHz = hz == null ? profile.defaultHz() : hz;
        if (effectiveHz <= 0 || 1000 % effectiveHz != 0) {
            throw new UsageException("--hz: use 100, 250 or 1000");
        }
        long tuples = (long) (range[1] - range[0] + 1) * srcIps * dstIps * dstPorts;
        if (tuples > MAX_TUPLES) {
            // The reaper experiment holds about every tuple in TIME_WAIT at once, some 90 bytes each.
            throw new UsageException(String.format(java.util.Locale.ROOT, "%,d distinct 4-tuples would keep about as "
                    + "many TIME_WAIT entries (%,d MB) in the reaper run; at most %,d: give fewer --src-ips, --dst-ips "
                    + "or --dst-ports (the rate scales linearly with them)", tuples, tuples * 90 >> 20, MAX_TUPLES));
        }
        Capacity.Result r = Capacity.compute(profile, effectiveHz, tuples);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kernel", r.kernel());
            m.put("hz", r.hz());
            m.put("tuples", r.tuples());
            m.put("maxRate", r.maxRate());
            Map<String, Object> tw = new LinkedHashMap<>();
            tw.put("min", r.minLifetimeSeconds());
            tw.put("max", r.maxLifetimeSeconds());
            m.put("timeWaitSeconds", tw);
            m.put("idleTimeWaitSeconds", r.idleLifetimeSeconds());
            m.put("reuseIntervalSeconds", r.maxRate() > 0 ? r.tuples() / r.maxRate() : null);
            System.out.print(Json.write(m));
        } else {
            System.out.printf(Locale.ROOT, "%s (HZ %d), %,d distinct 4-tuples:%n", r.kernel(), r.hz(), r.tuples());
            System.out.printf(Locale.ROOT, "  highest safe steady rate: %.1f conn/s (a tuple returns after %.1f s)%n",
                    r.maxRate(), r.tuples() / r.maxRate());
            System.out.printf(Locale.ROOT, "  TIME_WAIT lifetime at that load: %.1f-%.1f s (%.1f s for a lone socket)%n",
                    r.minLifetimeSeconds(), r.maxLifetimeSeconds(), r.idleLifetimeSeconds());
            System.out.println("  Above it, SYNs meet TIME_WAIT sockets; with clients behind NAT, PAWS rejects a share of them.");
        }
        return 0;
    }
}
