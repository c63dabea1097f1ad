package io.twlab.advise.evidence;

import java.util.List;

/**
 * A text file of a bundle: its lines after the optional {@code # twlab-collect <command> <epoch> <host>} header.
 * {@link #lineNumber(int)} turns an index into {@code lines} into the line number in the file.
 */
public record TextFile(String name, Header header, List<String> lines) {
    /** The collect header: which command wrote the file, when, on which host. */
    public record Header(String command, long epochSeconds, String host) {
        static final String PREFIX = "# twlab-collect ";

        /** The header of {@code line}, or null when it is not one. */
        static Header parse(String line) {
            if (!line.startsWith(PREFIX)) {
                return null;
            }
            String[] t = line.substring(PREFIX.length()).trim().split("\\s+");
            if (t.length < 3) {
                return null;
            }
            try {
                long epoch = Long.parseLong(t[t.length - 2]);
                return new Header(String.join(" ", java.util.Arrays.asList(t).subList(0, t.length - 2)), epoch,
                        t[t.length - 1]);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    public int lineNumber(int index) {
        return index + (header == null ? 1 : 2);
    }

    public long epochSeconds() {
        return header == null ? 0 : header.epochSeconds();
    }

    public String command() {
        return header == null ? "" : header.command();
    }

    /** Lines that are not blank. */
    public List<String> contentLines() {
        return lines.stream().filter(l -> !l.isBlank()).toList();
    }
}
