package io.twlab.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.twlab.scenario.ScenarioException;
import io.twlab.scenario.ScenarioLoader;

import java.util.List;

/**
 * Coverage-guided fuzzing of the scenario loader (YAML, overrides, validation, binding): any text and any --set
 * expression must bind or end in a ScenarioException with a location; never another exception. Seeds and kept
 * findings: src/fuzz/resources/io/twlab/fuzz/ScenarioFuzzTargetInputs/.
 */
class ScenarioFuzzTarget {
    @FuzzTest(maxDuration = "40m", maxExecutions = 10_000_000)
    void scenarios(FuzzedDataProvider data) {
        String override = data.consumeString(40);
        String text = data.consumeRemainingAsString();
        try {
            ScenarioLoader.parse(text, "fuzz.yaml", override.isEmpty() ? List.of() : List.of(override));
        } catch (ScenarioException expected) {
            if (expected.render().isBlank()) {
                throw new AssertionError("an error without a message");
            }
        }
    }
}
