package io.twlab.kernel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole profile table, derivations included, against the checked-in copy: a change of any profile's
 * behaviour, sysctl or default must show in review as a change of profiles.golden.txt (regenerate it with
 * {@code twlab profiles --table}).
 */
class ProfileTableGoldenTest {
    @Test
    void profileTableMatchesTheCheckedInCopy() throws IOException {
        String golden;
        try (InputStream in = getClass().getResourceAsStream("profiles.golden.txt")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(ProfileTable.render()).isEqualTo(golden);
    }

    @Test
    void everyProfileButTheFirstDerivesFromTheOneBeforeWithSourcedChanges() {
        String first = Profiles.names().get(0);
        assertThat(Profiles.get(first).derivedFrom()).isNull();
        for (String name : Profiles.names().subList(1, Profiles.names().size())) {
            KernelProfile p = Profiles.get(name);
            assertThat(Profiles.get(p.derivedFrom())).as(name).isNotNull();
            assertThat(p.changes()).as(name).isNotEmpty();
            p.changes().forEach(c -> assertThat(c.source()).as(name + ": " + c.what()).isNotBlank());
        }
    }

    @Test
    void aDerivationChangesOnlyWhatItNames() {
        // linux-3.10 = linux-2.6.32 + initial RTO 1 s (3.1) + RFC 5961 (3.6) + 6 SYN retries (3.7): the reaper,
        // clocks and TIME_WAIT rules stay those of 2.6.32.
        KernelProfile old = Profiles.get("linux-2.6.32");
        KernelProfile v310 = Profiles.get("linux-3.10");
        assertThat(v310.initialRtoMs()).isEqualTo(1000);
        assertThat(old.initialRtoMs()).isEqualTo(3000);
        assertThat(v310.sysctls().get(Sysctls.TCP_SYN_RETRIES).defaultValue()).isEqualTo(6);
        assertThat(old.sysctls().get(Sysctls.TCP_SYN_RETRIES).defaultValue()).isEqualTo(5);
        assertThat(v310.reaper()).isEqualTo(old.reaper());
        assertThat(v310.tsClock()).isEqualTo(old.tsClock());
        assertThat(v310.twAckRateLimited()).isEqualTo(old.twAckRateLimited());
        assertThat(v310.rfc5961ChallengeAcks()).isTrue();
        assertThat(old.rfc5961ChallengeAcks()).isFalse();
    }
}
