package io.twlab.analyzer;

/** A (source address, destination address) pair as a hash key; one mutable instance serves as the lookup probe. */
final class AddressPair {
    long srcHi;
    long srcLo;
    long dstHi;
    long dstLo;

    AddressPair set(long sHi, long sLo, long dHi, long dLo) {
        srcHi = sHi;
        srcLo = sLo;
        dstHi = dHi;
        dstLo = dLo;
        return this;
    }

    AddressPair copy() {
        return new AddressPair().set(srcHi, srcLo, dstHi, dstLo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressPair p && p.srcLo == srcLo && p.dstLo == dstLo && p.srcHi == srcHi
                && p.dstHi == dstHi;
    }

    @Override
    public int hashCode() {
        long h = srcLo * 0x9E3779B97F4A7C15L + dstLo;
        h = h * 0x9E3779B97F4A7C15L + (srcHi ^ (dstHi >>> 1));
        return (int) (h ^ (h >>> 32));
    }
}
