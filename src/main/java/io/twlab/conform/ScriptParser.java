package io.twlab.conform;

import io.twlab.engine.Simulator;
import io.twlab.net.Packet;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads packetdrill's script language, the subset twlab runs: relative ({@code +0.1}) and absolute times with
 * ranges ({@code 1.0~1.1}); {@code <} inbound and {@code >} outbound TCP lines with flags, seq:end(len), ack, win
 * and options ({@code mss}, {@code sackOK}, {@code nop}, {@code wscale}, {@code TS val X ecr Y}, {@code ...});
 * system calls with return values and errno; backtick {@code sysctl -w} commands. Written from packetdrill's
 * documented syntax (its README and the netdev papers), not from its code.
 */
public final class ScriptParser {
    private static final Pattern TIME = Pattern.compile("(\\+?)(\\d+(?:\\.\\d*)?|\\.\\d+)(?:~(\\+?)(\\d+(?:\\.\\d*)?|\\.\\d+))?");
    private static final Pattern SEQ = Pattern.compile("(\\d+):(\\d+)\\((\\d+)\\)");
    private static final Pattern SYSCALL = Pattern.compile("([a-z_]+)\\((.*)\\)\\s*=\\s*(-?\\d+)(?:\\s+([A-Z][A-Z0-9_]*).*)?");
    private static final Pattern SYSCTL = Pattern.compile("sysctl(?:\\s+-[wq])*\\s+([a-z0-9_.]+)=(\"[^\"]*\"|'[^']*'|\\S+)");

    private final String file;
    private int line;

    private ScriptParser(String file) {
        this.file = file;
    }

    public static Script parse(String file, String text) {
        return new ScriptParser(file).parse(text);
    }

    private Script parse(String text) {
        List<String> kernels = new ArrayList<>();
        StringBuilder differs = new StringBuilder();
        List<Script.Sysctl> sysctls = new ArrayList<>();
        List<Script.Event> events = new ArrayList<>();
        long previous = 0;
        String[] lines = text.split("\n", -1);
        for (line = 1; line <= lines.length; line++) {
            String raw = lines[line - 1];
            String l = raw.strip();
            if (l.isEmpty()) {
                continue;
            }
            if (l.startsWith("//")) {
                String c = l.substring(2).strip();
                if (c.startsWith("kernels:")) {
                    for (String k : c.substring(8).strip().split("\\s+")) {
                        if (!k.isEmpty()) {
                            kernels.add(k);
                        }
                    }
                } else if (c.startsWith("differs:")) {
                    differs.append(differs.length() > 0 ? " " : "").append(c.substring(8).strip());
                }
                continue;
            }
            int column = raw.indexOf(l.charAt(0)) + 1;
            if (l.startsWith("`")) {
                sysctls.add(sysctl(l, column));
                continue;
            }
            Matcher t = TIME.matcher(l);
            if (!t.lookingAt()) {
                throw error(column, "expected a time (0.1, +0.1 or 1.0~1.2), a `sysctl -w ...` command or a // comment; got '"
                        + l + "'");
            }
            long at = (t.group(1).isEmpty() ? 0 : previous) + seconds(t.group(2));
            long latest = t.group(4) == null ? at : (t.group(3).isEmpty() ? 0 : previous) + seconds(t.group(4));
            if (at < previous && t.group(1).isEmpty()) {
                throw error(column, "time " + t.group(2) + " s is before the previous line's; times only go forward");
            }
            if (latest < at) {
                throw error(column + t.start(4), "the range ends before it starts");
            }
            String rest = l.substring(t.end()).strip();
            int restColumn = column + l.indexOf(rest, t.end());
            if (rest.startsWith("`")) {
                sysctls.add(sysctl(rest, restColumn));
                continue;
            }
            if (rest.startsWith("<") || rest.startsWith(">")) {
                Script.Segment s = segment(rest.substring(1).strip(), restColumn + 1);
                events.add(rest.startsWith("<") ? new Script.Inbound(line, at, latest, l, s)
                        : new Script.Outbound(line, at, latest, l, s));
            } else {
                events.add(syscall(rest, restColumn, at, latest, l));
            }
            previous = at;
        }
        if (events.isEmpty()) {
            throw new ScriptException(file, 1, 1, "no events: a script needs packet lines (< or >) or system calls");
        }
        return new Script(file, List.copyOf(kernels), differs.toString(), List.copyOf(sysctls), List.copyOf(events));
    }

    private static long seconds(String s) {
        return Math.round(Double.parseDouble(s) * Simulator.NS_PER_SEC);
    }

    private Script.Sysctl sysctl(String l, int column) {
        if (!l.endsWith("`") || l.length() < 2) {
            throw error(column, "a command is written between backticks: `sysctl -w net.ipv4.tcp_rfc1337=1`");
        }
        Matcher m = SYSCTL.matcher(l.substring(1, l.length() - 1).strip());
        if (!m.matches()) {
            throw error(column + 1, "only `sysctl -w NAME=VALUE` commands run here; got " + l);
        }
        String v = m.group(2);
        if (v.startsWith("\"") || v.startsWith("'")) {
            v = v.substring(1, v.length() - 1);
        }
        return new Script.Sysctl(line, m.group(1), v);
    }

    private Script.Segment segment(String s, int column) {
        String[] parts = s.split("\\s+", 2);
        int flags = 0;
        for (char c : parts[0].toCharArray()) {
            flags |= switch (c) {
                case 'S' -> Packet.SYN;
                case 'F' -> Packet.FIN;
                case 'R' -> Packet.RST;
                case 'P' -> Packet.PSH;
                case '.' -> Packet.ACK;
                default -> throw error(column, "unknown TCP flag '" + c + "' in '" + parts[0]
                        + "': flags are S, F, R, P and . (ACK), e.g. S. for SYN-ACK");
            };
        }
        String rest = parts.length > 1 ? parts[1] : "";
        Matcher seq = SEQ.matcher(rest);
        if (!seq.lookingAt()) {
            throw error(column + parts[0].length() + 1, "expected start:end(length) after the flags, e.g. 0:0(0)");
        }
        long start = Long.parseLong(seq.group(1));
        long end = Long.parseLong(seq.group(2));
        int length = Integer.parseInt(seq.group(3));
        if (end - start != length) {
            throw error(column + parts[0].length() + 1, "end - start is " + (end - start) + " but the length says "
                    + length);
        }
        rest = rest.substring(seq.end()).strip();
        Long ack = null;
        Integer window = null;
        Script.Options options = null;
        while (!rest.isEmpty()) {
            if (rest.startsWith("ack ")) {
                String[] w = rest.substring(4).strip().split("\\s+", 2);
                ack = number(w[0], column);
                rest = w.length > 1 ? w[1].strip() : "";
            } else if (rest.startsWith("win ")) {
                String[] w = rest.substring(4).strip().split("\\s+", 2);
                window = (int) number(w[0], column);
                rest = w.length > 1 ? w[1].strip() : "";
            } else if (rest.startsWith("<")) {
                int close = rest.indexOf('>');
                if (close < 0) {
                    throw error(column, "options start with < and end with >");
                }
                options = options(rest.substring(1, close).strip(), column);
                rest = rest.substring(close + 1).strip();
            } else {
                throw error(column, "expected ack N, win N or <options>; got '" + rest + "'");
            }
        }
        return new Script.Segment(flags, start, length, ack, window, options);
    }

    private Script.Options options(String s, int column) {
        if (s.equals("...")) {
            return null;
        }
        Integer mss = null;
        Integer wscale = null;
        boolean sack = false;
        Long val = null;
        Long ecr = null;
        for (String o : s.split(",")) {
            String[] w = o.strip().split("\\s+");
            switch (w[0]) {
                case "nop", "eol" -> { }
                case "sackOK" -> sack = true;
                case "mss" -> mss = (int) number(at(w, 1, column), column);
                case "wscale" -> wscale = (int) number(at(w, 1, column), column);
                case "TS" -> {
                    if (w.length != 5 || !w[1].equals("val") || !w[3].equals("ecr")) {
                        throw error(column, "a timestamp option reads TS val X ecr Y; got '" + o.strip() + "'");
                    }
                    val = number(w[2], column);
                    ecr = number(w[4], column);
                }
                default -> throw error(column, "unknown option '" + o.strip() + "': known are mss N, sackOK, nop, "
                        + "wscale N, TS val X ecr Y and ...");
            }
        }
        return new Script.Options(mss, wscale, sack, val, ecr);
    }

    private String at(String[] w, int i, int column) {
        if (i >= w.length) {
            throw error(column, "option " + w[0] + " needs a value, e.g. " + w[0] + " 1460");
        }
        return w[i];
    }

    private long number(String s, int column) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error(column, "expected a number, got '" + s + "'");
        }
    }

    private Script.Syscall syscall(String s, int column, long at, long latest, String text) {
        Matcher m = SYSCALL.matcher(s);
        if (!m.matches()) {
            throw error(column, "expected < or > and a segment, or a system call such as listen(3, 1) = 0; got '"
                    + s + "'");
        }
        String name = m.group(1);
        List<String> args = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : m.group(2).toCharArray()) {
            if (c == '[' || c == '{' || c == '(') {
                depth++;
            } else if (c == ']' || c == '}' || c == ')') {
                depth--;
            }
            if (c == ',' && depth == 0) {
                args.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) {
            args.add(cur.toString().strip());
        }
        switch (name) {
            case "socket", "bind", "listen", "accept", "connect", "write", "read", "close", "setsockopt",
                 "getsockopt", "fcntl" -> { }
            default -> throw error(column, "system call " + name + " is not run here: use socket, bind, listen, "
                    + "accept, connect, write, read, close (setsockopt, getsockopt and fcntl are accepted and ignored)");
        }
        long ret = Long.parseLong(m.group(3));
        if (ret == -1 && m.group(4) == null) {
            throw error(column, "a call that returns -1 names its errno, e.g. = -1 EADDRNOTAVAIL");
        }
        return new Script.Syscall(line, at, latest, text, name, List.copyOf(args), ret, m.group(4));
    }

    private ScriptException error(int column, String message) {
        return new ScriptException(file, line, column, message);
    }
}
