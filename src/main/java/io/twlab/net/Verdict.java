package io.twlab.net;

/** How an element's input path ended for one packet: the branch's name and the kernel function it follows. */
public interface Verdict {
    String name();

    /** The packet was rejected or dropped rather than handled as its sender meant. */
    boolean drop();

    String kernelFunction();
}
