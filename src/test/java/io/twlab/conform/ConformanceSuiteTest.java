package io.twlab.conform;

import io.twlab.kernel.Profiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The conformance suite under conformance/: every script runs on every profile and must pass exactly on the
 * profiles its {@code // kernels:} line names and fail on the others (the difference its {@code // differs:}
 * line states). The scripts are written from kernel source facts (shared/reference/kernel-facts.md), not from
 * the simulator's output.
 */
class ConformanceSuiteTest {
    private static final Path SUITE = Path.of("conformance");

    private static List<Script> scripts() throws IOException {
        List<Script> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(SUITE)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".pkt")).sorted().toList()) {
                out.add(ScriptParser.parse(f.toString(), Files.readString(f)));
            }
        }
        return out;
    }

    @Test
    void everyScriptPassesExactlyWhereItsHeaderSays() throws IOException {
        List<Script> scripts = scripts();
        assertThat(scripts).hasSizeGreaterThanOrEqualTo(40);
        List<String> wrong = new ArrayList<>();
        int differing = 0;
        for (Script s : scripts) {
            assertThat(s.passesOn()).as(s.file() + " names its kernels").isNotEmpty();
            for (String k : Profiles.names()) {
                ScriptRunner.Result r = ScriptRunner.run(s, Profiles.get(k), ScriptRunner.DEFAULT_TOLERANCE_NS);
                boolean expected = s.passesOn().contains(k);
                if (!expected) {
                    differing++;
                }
                if (r.passed() != expected) {
                    wrong.add(s.file() + " on " + k + ": " + (r.passed() ? "passed, header says it differs"
                            : r.failures().stream().map(f -> f.text(s.file())).toList()));
                }
            }
            if (s.passesOn().size() < Profiles.names().size()) {
                assertThat(s.differs()).as(s.file() + " says what differs elsewhere").isNotBlank();
            }
        }
        assertThat(wrong).isEmpty();
        // The suite must tell kernels apart: a good share of (script, kernel) pairs are expected differences.
        assertThat(differing).isGreaterThan(50);
    }

    @Test
    void aWrongExpectationFailsWithItsLine() {
        String script = """
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 10) = 0
                +0  < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>
                +0  > S. 0:0(0) ack 2 <...>
                """;
        ScriptRunner.Result r = ScriptRunner.run(ScriptParser.parse("t.pkt", script), Profiles.get("linux-6.18"),
                ScriptRunner.DEFAULT_TOLERANCE_NS);
        assertThat(r.failures()).hasSize(1);
        assertThat(r.failures().get(0).line()).isEqualTo(5);
        assertThat(r.failures().get(0).message()).contains("ack 1, expected 2");
    }

    @Test
    void anUnexpectedSegmentIsAFailure() {
        // The SYN is answered, but the script expects silence before the close at 1 s.
        String script = """
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 10) = 0
                +0  < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7>
                +1  close(3) = 0
                """;
        ScriptRunner.Result r = ScriptRunner.run(ScriptParser.parse("t.pkt", script), Profiles.get("linux-4.19"),
                ScriptRunner.DEFAULT_TOLERANCE_NS);
        assertThat(r.failures()).extracting(ScriptRunner.Failure::message).anyMatch(m -> m.contains("no > line"));
    }

    @Test
    void aSysctlTheKernelLacksFailsTheRun() {
        Script s = ScriptParser.parse("t.pkt", "`sysctl -w net.ipv4.tcp_tw_recycle=1`\n0 socket(..., SOCK_STREAM, 0) = 3\n");
        ScriptRunner.Result r = ScriptRunner.run(s, Profiles.get("linux-6.18"), ScriptRunner.DEFAULT_TOLERANCE_NS);
        assertThat(r.failures()).singleElement().extracting(ScriptRunner.Failure::message).asString()
                .contains("does not exist on linux-6.18");
        assertThat(ScriptRunner.run(s, Profiles.get("linux-3.10"), ScriptRunner.DEFAULT_TOLERANCE_NS).passed()).isTrue();
    }

    @Test
    void badSyntaxNamesFileLineAndColumn() {
        assertThatThrownBy(() -> ScriptParser.parse("x.pkt", "0 listen(3, 1) = 0\n+0  < Q 0:0(0)\n"))
                .isInstanceOf(ScriptException.class).hasMessageStartingWith("x.pkt:2:").hasMessageContaining("flag 'Q'");
        assertThatThrownBy(() -> ScriptParser.parse("x.pkt", "0 < S 0:5(0)\n"))
                .hasMessageStartingWith("x.pkt:1:").hasMessageContaining("length");
        assertThatThrownBy(() -> ScriptParser.parse("x.pkt", "1 listen(3, 1) = 0\n0.5 close(3) = 0\n"))
                .hasMessageStartingWith("x.pkt:2:1").hasMessageContaining("before the previous line");
    }
}
