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
        // The input is a scenario, optionally followed by a line "--set PATH=VALUE" to try as an override, so the
        // seeds (the shipped scenarios) are whole scenarios and reach the binder.
        String input = data.consumeRemainingAsString();
        int cut = input.lastIndexOf("\n--set ");
        String text = cut < 0 ? input : input.substring(0, cut);
        List<String> overrides = cut < 0 ? List.of() : List.of(input.substring(cut + "\n--set ".length()));
        try {
            ScenarioLoader.parse(text, "fuzz.yaml", overrides);
        } catch (ScenarioException expected) {
            if (expected.render().isBlank()) {
                throw new AssertionError("an error without a message");
            }
        }
    }
}
