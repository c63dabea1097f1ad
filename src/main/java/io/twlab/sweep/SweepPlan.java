package io.twlab.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The points of a sweep (a full grid over the axes, the first axis outermost, or a seeded Latin-hypercube sample of
 * {@code sample} points) and its seeds; each point x seed is one run.
 */
public record SweepPlan(List<Axis> axes, List<Point> points, List<Long> seeds) {
    /** A grid larger than this needs {@code --yes}. */
    public static final long CONFIRM_ABOVE = 1_000_000;

    /** One point: its index and one value per axis, in axis order. */
    public record Point(int index, List<String> values) {
        /** The point as {@code --set} overrides. */
        List<String> overrides(List<Axis> axes) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < axes.size(); i++) {
                out.add(axes.get(i).path() + "=" + values.get(i));
            }
            return out;
        }
    }

    public static SweepPlan grid(List<Axis> axes, int seeds, boolean confirmed) {
        long size = 1;
        for (Axis a : axes) {
            size = Math.multiplyExact(size, a.values().size());
        }
        if (size > CONFIRM_ABOVE && !confirmed) {
            throw new SweepException("--vary", String.format(java.util.Locale.ROOT, "the grid has %,d points (over "
                    + "%,d); give --yes to run it, or --sample N for a Latin-hypercube sample", size, CONFIRM_ABOVE));
        }
        List<Point> points = new ArrayList<>();
        int[] at = new int[axes.size()];
        for (long p = 0; p < size; p++) {
            List<String> values = new ArrayList<>();
            for (int i = 0; i < axes.size(); i++) {
                values.add(axes.get(i).values().get(at[i]));
            }
            points.add(new Point((int) p, List.copyOf(values)));
            for (int i = axes.size() - 1; i >= 0; i--) {
                if (++at[i] < axes.get(i).values().size()) {
                    break;
                }
                at[i] = 0;
            }
        }
        return new SweepPlan(List.copyOf(axes), List.copyOf(points), seeds(seeds));
    }

    /**
     * Latin hypercube: each axis' values cut into {@code n} equal strata, one point per stratum, strata matched
     * across axes by a seeded shuffle (Fisher-Yates on SplittableRandom(seed)), a seeded position inside each.
     */
    public static SweepPlan latinHypercube(List<Axis> axes, int n, long seed, int seeds) {
        if (n < 1) {
            throw new SweepException("--sample", "expected a positive number of points, got " + n);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int[][] choice = new int[axes.size()][n];
        for (int a = 0; a < axes.size(); a++) {
            int[] strata = new int[n];
            for (int i = 0; i < n; i++) {
                strata[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = strata[i];
                strata[i] = strata[j];
                strata[j] = t;
            }
            int size = axes.get(a).values().size();
            for (int i = 0; i < n; i++) {
                double u = (strata[i] + rnd.nextDouble()) / n;
                choice[a][i] = Math.min(size - 1, (int) Math.floor(u * size));
            }
        }
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> values = new ArrayList<>();
            for (int a = 0; a < axes.size(); a++) {
                values.add(axes.get(a).values().get(choice[a][i]));
            }
            points.add(new Point(i, List.copyOf(values)));
        }
        return new SweepPlan(List.copyOf(axes), List.copyOf(points), seeds(seeds));
    }

    private static List<Long> seeds(int n) {
        if (n < 1) {
            throw new SweepException("--seeds", "expected at least 1 seed, got " + n);
        }
        List<Long> out = new ArrayList<>();
        for (long s = 1; s <= n; s++) {
            out.add(s);
        }
        return List.copyOf(out);
    }

    public int runs() {
        return points.size() * seeds.size();
    }
}
