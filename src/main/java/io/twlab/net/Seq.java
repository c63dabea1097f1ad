package io.twlab.net;

/** 32-bit sequence and timestamp arithmetic with wrap-around, as the kernel's before()/after() macros do it. */
public final class Seq {
    private Seq() {
    }

    public static boolean before(int a, int b) {
        return a - b < 0;
    }

    public static boolean after(int a, int b) {
        return b - a < 0;
    }

    /** a <= x <= b in sequence space. */
    public static boolean between(int x, int a, int b) {
        return b - a >= x - a;
    }
}
