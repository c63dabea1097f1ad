package io.twlab.lab;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The arrival times the lab's client drivers recorded (the start_ms column of each {@code lab-client-HOST.csv}), by
 * host name, in ns from the drivers' common start: what the simulation replays to compare run by run.
 */
public final class LabArrivals {
    private static final String PREFIX = "lab-client-";
    private static final String SUFFIX = ".csv";

    private LabArrivals() {
    }

    /** Every client file in {@code dir}; an error names the file and line that cannot be read. */
    public static Map<String, long[]> read(Path dir) {
        Map<String, long[]> out = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                out.put(name.substring(PREFIX.length(), name.length() - SUFFIX.length()), readFile(f));
            }
        } catch (IOException e) {
            throw new LabException("cannot read the lab's client files in " + dir + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new LabException(dir + " holds no " + PREFIX + "HOST" + SUFFIX + " file: give the --out directory of "
                    + "a twlab lab run");
        }
        return out;
    }

    private static long[] readFile(Path f) throws IOException {
        List<String> lines = Files.readAllLines(f);
        if (lines.isEmpty() || !lines.get(0).startsWith("start_ms,")) {
            throw new LabException(f + ":1: expected the header start_ms,connect_us,... of a lab client file");
        }
        long[] times = new long[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            String cell = lines.get(i).split(",", 2)[0];
            try {
                times[i - 1] = Math.round(Double.parseDouble(cell) * 1_000_000);
            } catch (NumberFormatException e) {
                throw new LabException(f + ":" + (i + 1) + ":1: expected a start time in ms, found '" + cell + "'");
            }
        }
        return times;
    }
}
