package io.twlab.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.twlab.analyzer.Analysis;
import io.twlab.analyzer.capture.CaptureFormatException;
import io.twlab.report.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the capture readers and the whole analysis: any bytes must give an analysis (with
 * warnings) or a CaptureFormatException saying the file is no capture; never another exception, a hang, or a JSON
 * document that does not parse. Seeds and kept findings: src/fuzz/resources/io/twlab/fuzz/CaptureFuzzTargetInputs/.
 */
public class CaptureFuzzTarget {
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("twlab-fuzz", ".cap");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "40m", maxExecutions = 10_000_000)
    void captures(byte[] data) throws IOException {
        fuzzerTestOneInput(data);
    }

    /** The same check for Jazzer's standalone driver, which runs several fuzzing processes side by side. */
    public static void fuzzerTestOneInput(byte[] data) throws IOException {
        Files.write(FILE, data);
        Analysis a;
        try {
            a = Analysis.run(FILE);
        } catch (CaptureFormatException notACapture) {
            return;
        }
        Json.parse(Json.write(a.toMap()));
        a.toText();
    }
}
