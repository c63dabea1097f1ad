package io.twlab.tcp;

import io.twlab.engine.Simulator;
import io.twlab.kernel.KernelProfile;
import io.twlab.kernel.Profiles;
import io.twlab.net.Packet;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One test per branch of tcp_timewait_state_process() (net/ipv4/tcp_minisocks.c), named after the branch.
 * Fixture: a TIME_WAIT entry with rcv_nxt 1000, snd_nxt 5000, ts_recent 7000 stamped at second 100.
 */
class TimeWaitProcessorTest {
    private static final long S = Simulator.NS_PER_SEC;
    private static final long NOW = 130 * S;
    private static final long NOW_SEC = 130;

    private final Simulator sim = new Simulator();
    private final TimeWaitTable table = new TimeWaitTable();
    private final Counters counters = new Counters();
    private TimeWaitProcessor processor;
    private int tw;

    private void setUp(String kernel, boolean rfc1337, long rateLimitNs, boolean timestamps) {
        KernelProfile profile = Profiles.get(kernel);
        TimeWaitReaper.create(profile, sim, table, counters, new HostClock(0, 1000));
        processor = new TimeWaitProcessor(table, profile, counters, rfc1337, rateLimitNs, 0);
        tw = table.allocate(42L, 0);
        table.rcvNxt[tw] = 1000;
        table.sndNxt[tw] = 5000;
        table.tsRecent[tw] = 7000;
        table.tsRecentStamp[tw] = timestamps ? 100 : 0;
        table.setSubstate(tw, TimeWaitTable.SUBSTATE_TIME_WAIT);
        table.reaper().schedule(tw, TimeWaitProcessor.TIMEWAIT_LEN_NS, false);
    }

    private static Packet syn(int seq, Integer tsVal) {
        Packet p = new Packet();
        p.flags = Packet.SYN;
        p.seq = seq;
        if (tsVal != null) {
            p.hasTimestamp = true;
            p.tsVal = tsVal;
        }
        return p;
    }

    private TimeWaitVerdict process(Packet p) {
        return processor.process(tw, p, NOW, NOW_SEC, NOW / 1_000_000);
    }

    @Test
    void synWithNewerTimestampReopensWithIsnSndNxtPlus65537() {
        setUp("linux-2.6.32", false, 0, true);
        assertThat(process(syn(10, 7001))).isEqualTo(TimeWaitVerdict.SYN);
        // isn = tw_snd_nxt + 65535 + 2 = 5000 + 65537
        assertThat(processor.acceptedIsn()).isEqualTo(70537);
        assertThat(counters.get(Counter.PAWSEstab)).isZero();
    }

    @Test
    void synWithOlderTimestampIsPawsRejectedWhateverItsSequence() {
        setUp("linux-2.6.32", false, 0, true);
        // seq 2000 is after rcv_nxt 1000, but tsval 6999 < ts_recent 7000: paws_reject -> TW_ACK.
        assertThat(process(syn(2000, 6999))).isEqualTo(TimeWaitVerdict.ACK);
        assertThat(counters.get(Counter.PAWSEstab)).isEqualTo(1);
        assertThat(table.find(42L)).isEqualTo(tw);
    }

    @Test
    void pawsRejectCountsPawsTimewaitFromSixSixteen() {
        setUp("linux-6.18", false, 0, true);
        assertThat(process(syn(2000, 6999))).isEqualTo(TimeWaitVerdict.ACK);
        assertThat(counters.get(Counter.PAWSTimewait)).isEqualTo(1);
        assertThat(counters.get(Counter.PAWSEstab)).isZero();
    }

    @Test
    void synWithEqualTimestampNeedsAHigherSequence() {
        setUp("linux-2.6.32", false, 0, true);
        assertThat(process(syn(1001, 7000))).isEqualTo(TimeWaitVerdict.SYN);
        setUp("linux-2.6.32", false, 0, true);
        // Equal TSval is not a PAWS reject (window 0 allows equality), but seq 999 is not after rcv_nxt.
        assertThat(process(syn(999, 7000))).isEqualTo(TimeWaitVerdict.ACK);
        assertThat(counters.get(Counter.PAWSEstab)).isZero();
    }

    @Test
    void withoutTimestampsAcceptanceIsBySequenceOnlyAndNothingIsCounted() {
        setUp("linux-2.6.32", false, 0, false);
        assertThat(process(syn(1001, null))).isEqualTo(TimeWaitVerdict.SYN);
        setUp("linux-2.6.32", false, 0, false);
        assertThat(process(syn(500, null))).isEqualTo(TimeWaitVerdict.ACK);
        assertThat(counters.get(Counter.PAWSEstab)).isZero();
    }

    @Test
    void timestampOlderThanTheWrapLimitIsNoLongerTrusted() {
        setUp("linux-2.6.32", false, 0, true);
        // ts_recent_stamp 100 s; 24 days later tcp_paws_check passes whatever the TSval.
        long later = 100 + 24 * 86400;
        assertThat(processor.process(tw, syn(2000, 1), later * S, later, later * 1000)).isEqualTo(TimeWaitVerdict.SYN);
        // 6.7+: TCP_PAWS_WRAP = 2147 s.
        setUp("linux-6.18", false, 0, true);
        assertThat(processor.process(tw, syn(2000, 1), 2300 * S, 2300, 2_300_000)).isEqualTo(TimeWaitVerdict.SYN);
    }

    @Test
    void inWindowRstAssassinatesTheTimeWaitUnlessRfc1337() {
        setUp("linux-2.6.32", false, 0, true);
        Packet rst = new Packet();
        rst.flags = Packet.RST;
        rst.seq = 1000;
        assertThat(process(rst)).isEqualTo(TimeWaitVerdict.SUCCESS);
        assertThat(table.find(42L)).isEqualTo(-1);

        setUp("linux-2.6.32", true, 0, true);
        assertThat(process(rst)).isEqualTo(TimeWaitVerdict.SUCCESS);
        assertThat(table.find(42L)).isEqualTo(tw);
    }

    @Test
    void duplicateFinOrAckIsAbsorbed() {
        setUp("linux-2.6.32", false, 0, true);
        Packet ack = new Packet();
        ack.flags = Packet.ACK;
        ack.seq = 1000;
        ack.hasTimestamp = true;
        ack.tsVal = 7100;
        assertThat(process(ack)).isEqualTo(TimeWaitVerdict.SUCCESS);
        assertThat(table.tsRecent[tw]).isEqualTo(7100);
        assertThat(table.tsRecentStamp[tw]).isEqualTo(NOW_SEC);
    }

    @Test
    void outOfWindowAcksAreRateLimitedFrom316AndOnRhel7ButNotOn2632() {
        // 3.16+ (here 4.19) and 3.10.0-1127 (backported) limit TIME_WAIT ACKs to one per tcp_invalid_ratelimit
        // (500 ms): the second rejected SYN at the same instant is skipped.
        for (String kernel : new String[] {"linux-3.10.0-1127", "linux-4.19"}) {
            setUp(kernel, false, 500 * Simulator.NS_PER_MS, true);
            long skippedBefore = counters.get(Counter.TCPACKSkippedTimeWait); // the fixture's counters are shared
            assertThat(process(syn(2000, 6999))).as(kernel).isEqualTo(TimeWaitVerdict.ACK);
            assertThat(process(syn(2000, 6999))).as(kernel).isEqualTo(TimeWaitVerdict.SUCCESS);
            assertThat(counters.get(Counter.TCPACKSkippedTimeWait) - skippedBefore).as(kernel).isEqualTo(1);
            assertThat(processor.reason()).as(kernel).isEqualTo(TcpVerdict.TW_PAWS_REJECT);
        }
        // 2.6.32 always answers.
        setUp("linux-2.6.32", false, 500 * Simulator.NS_PER_MS, true);
        assertThat(process(syn(2000, 6999))).isEqualTo(TimeWaitVerdict.ACK);
        assertThat(process(syn(2000, 6999))).isEqualTo(TimeWaitVerdict.ACK);
    }

    @Test
    void finWait2SubstateMovesToTimeWaitOnInOrderFinAndResetsASyn() {
        setUp("linux-4.19", false, 0, true);
        table.setSubstate(tw, TimeWaitTable.SUBSTATE_FIN_WAIT2);
        Packet fin = new Packet();
        fin.flags = Packet.FIN | Packet.ACK;
        fin.seq = 1000;
        fin.hasTimestamp = true;
        fin.tsVal = 7050;
        assertThat(process(fin)).isEqualTo(TimeWaitVerdict.ACK);
        assertThat(table.substate(tw)).isEqualTo(TimeWaitTable.SUBSTATE_TIME_WAIT);
        assertThat(table.rcvNxt[tw]).isEqualTo(1001);

        setUp("linux-4.19", false, 0, true);
        table.setSubstate(tw, TimeWaitTable.SUBSTATE_FIN_WAIT2);
        assertThat(process(syn(1000, 7050))).isEqualTo(TimeWaitVerdict.RST);
    }

    @Test
    void pawsRejectOfAnAcklessSynReArmsTheTimerButAPlainMismatchDoesNot() {
        // linux-4.4: exact per-socket timer at HZ=1000 (clock = ms since boot); the entry is armed at t=0 for
        // 60000 jiffies.
        setUp("linux-4.4", false, 0, true);
        sim.runUntil(30 * S, null);
        // PAWS reject at t=30 s: inet_twsk_schedule(TCP_TIMEWAIT_LEN) -> expiry 30 000 + 60 000.
        processor.process(tw, syn(2000, 6999), 30 * S, 30, 30_000);
        sim.runUntil(40 * S, null);
        // Equal TSval and an old sequence: not a PAWS reject and no ACK flag, so the timer stays.
        processor.process(tw, syn(999, 7000), 40 * S, 40, 40_000);
        // Not at the first arming's 60 000 jiffies, nor one jiffy before the re-armed 90 000; at 90 000 exactly.
        sim.runUntil(60 * S, null);
        assertThat(table.find(42L)).isEqualTo(tw);
        sim.runUntil(90 * S - 1, null);
        assertThat(table.find(42L)).isEqualTo(tw);
        sim.runUntil(90 * S, null);
        assertThat(table.find(42L)).isEqualTo(-1);
        assertThat(table.count()).isZero();
    }
}
