package io.twlab.analyzer;

import io.twlab.report.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The analyzer on packets of a real kernel, without root: the server capture of the shipped bundle
 * (examples/bundle-lab-6.18, a `twlab lab` run on Linux 6.18.44: 4 clients behind an nftables SNAT with 20 ports,
 * the server closing first; its first 600 packets). 6.18 offsets TSval per 4-tuple, so the SNAT address shows
 * per-connection offsets and no host count; the reused NAT ports meet TIME_WAIT and PAWS rejects them.
 */
class RealKernelCaptureTest {
    @Test
    @SuppressWarnings("unchecked")
    void aReal618CaptureShowsPawsRejectsAndPerConnectionOffsetsAndNoFalseHosts() throws Exception {
        Analysis a = Analysis.run(Path.of("examples/bundle-lab-6.18/server/capture.pcap"));
        Map<String, Object> m = (Map<String, Object>) Json.parse(Json.write(a.toMap()));
        List<Map<String, Object>> findings = (List<Map<String, Object>>) m.get("findings");
        Set<String> kinds = findings.stream().map(f -> (String) f.get("kind")).collect(Collectors.toSet());
        // Only what happened there: no shared-host count from per-tuple offsets, no challenge ACK (every previous
        // connection on a reused tuple had closed), no IPVS, no insert clash seen at the server.
        assertThat(kinds).containsExactlyInAnyOrder("paws-timewait-reject", "port-reuse-pressure",
                "syn-retransmit-stall");
        Map<String, Object> paws = findings.stream().filter(f -> f.get("kind").equals("paws-timewait-reject"))
                .findFirst().orElseThrow();
        // Every rejected SYN was answered by the TIME_WAIT socket's ACK and then reset by the client.
        assertThat(((Number) paws.get("answeredByClientRst")).longValue())
                .isEqualTo(((Number) paws.get("count")).longValue()).isPositive();
        Map<String, Object> source = (Map<String, Object>) ((List<?>) m.get("sources")).get(0);
        assertThat(source.get("ip")).isEqualTo("198.19.0.1");
        assertThat(source.get("perConnectionOffsets")).isEqualTo(true);
        assertThat(source.get("hosts")).isNull();
        assertThat(((Number) source.get("clockHosts")).intValue()).isZero();
    }
}
