package io.twlab.advise.evidence;

import java.util.List;

/**
 * One output format an SRE can collect. A reader recognises its format by the file's content (the collect
 * header's command only breaks ties), reads what it knows into the host's evidence, and reports each line it
 * cannot read as a problem with file:line, skipping it.
 */
public interface EvidenceReader {
    /** Short name of the format, e.g. "nstat", "ipvsadm-stats". */
    String format();

    /** Whether {@code f} (with at least one non-blank line) is of this format. */
    boolean recognises(TextFile f);

    void read(TextFile f, HostEvidence host, List<Problem> problems);

    /** A line that looked like the format but could not be read. */
    record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    static boolean anyMatch(List<String> lines, String regex, int atLeast) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(regex);
        int n = 0;
        for (String l : lines) {
            if (p.matcher(l).find() && ++n >= atLeast) {
                return true;
            }
        }
        return false;
    }
}
