package io.twlab.report.rules;

import io.twlab.report.Finding;
import io.twlab.report.RunFacts;

import java.util.List;

/** One kind of finding: what in a run's facts shows it, and the sentence and figures that explain it. */
public interface FindingRule {
    /** The findings of this kind the run shows (none, one, or one per element concerned), in scenario order. */
    List<Finding> apply(RunFacts run);
}
