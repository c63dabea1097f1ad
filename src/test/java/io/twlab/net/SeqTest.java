package io.twlab.net;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SeqTest {
    @Test
    void comparisonsWrapAroundTwoToTheThirtyTwo() {
        int nearTop = 0xFFFFFFF0;
        int wrapped = 0x00000010; // 32 bytes later, across the wrap
        assertThat(Seq.after(wrapped, nearTop)).isTrue();
        assertThat(Seq.before(nearTop, wrapped)).isTrue();
        assertThat(Seq.between(0, nearTop, wrapped)).isTrue();
        assertThat(Seq.between(0x20, nearTop, wrapped)).isFalse();
    }

    @Test
    void endSeqCountsSynAndFin() {
        Packet p = new Packet();
        p.seq = 100;
        p.payloadLength = 10;
        p.flags = Packet.FIN | Packet.ACK;
        assertThat(p.endSeq()).isEqualTo(111);
        p.flags = Packet.SYN;
        p.payloadLength = 0;
        assertThat(p.endSeq()).isEqualTo(101);
    }

    @Test
    void addressesRoundTrip() {
        assertThat(Ipv4.format((int) Ipv4.parse("30.1.1.1"))).isEqualTo("30.1.1.1");
        assertThat(Ipv4.parse("256.1.1.1")).isEqualTo(-1);
        assertThat(Ipv4.parse("1.2.3")).isEqualTo(-1);
    }
}
