package io.twlab.kernel;

import java.util.function.Consumer;

/**
 * One behaviour change between a kernel profile and the one it derives from: what changed, the version it came
 * in, and where that is written (commit, file and function), applied to a {@link KernelProfile.Builder}.
 */
public record KernelChange(String what, String since, String source, Consumer<KernelProfile.Builder> apply) {
    public static KernelChange of(String what, String since, String source, Consumer<KernelProfile.Builder> apply) {
        return new KernelChange(what, since, source, apply);
    }
}
