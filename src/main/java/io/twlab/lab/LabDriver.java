package io.twlab.lab;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The workload inside a lab namespace, one JVM per namespace (started with {@code ip netns exec}). As a server it
 * answers each request with the response and, for HTTP/1.0, closes first; as a client it opens connections
 * open-loop at its rate from a common start time, with a connect timeout, and writes one CSV row per
 * connection. One thread and one selector each; every loop ends by a deadline.
 * <pre>
 * server PORT REQUEST_BYTES RESPONSE_BYTES CLOSE(server|client) DEADLINE_EPOCH_MS
 * client SERVER_IP PORT RATE DURATION_MS START_EPOCH_MS CONNECT_TIMEOUT_MS REQUEST_BYTES RESPONSE_BYTES SEED
 *        ARRIVALS(poisson|paced) OUT_CSV CLOSE(server|client)
 * </pre>
 */
public final class LabDriver {
    private LabDriver() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("server")) {
            server(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    args[4].equals("server"), Long.parseLong(args[5]));
        } else if (args.length > 0 && args[0].equals("client")) {
            client(args[1], Integer.parseInt(args[2]), Double.parseDouble(args[3]), Long.parseLong(args[4]),
                    Long.parseLong(args[5]), Long.parseLong(args[6]), Integer.parseInt(args[7]),
                    Integer.parseInt(args[8]), Long.parseLong(args[9]), args[10].equals("poisson"), Path.of(args[11]),
                    args[12].equals("client"));
        } else {
            System.err.println("usage: LabDriver server ... | client ... (started by twlab lab)");
            System.exit(2);
        }
    }

    /** Per-connection state on the server: bytes of the request still to read. */
    private static final class Served {
        int toRead;
        ByteBuffer response;
        boolean responded;
    }

    static void server(int port, int requestBytes, int responseBytes, boolean serverCloses, long deadlineMs)
            throws IOException {
        try (Selector selector = Selector.open(); ServerSocketChannel listen = ServerSocketChannel.open()) {
            listen.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listen.bind(new InetSocketAddress(port), 4096);
            listen.configureBlocking(false);
            listen.register(selector, SelectionKey.OP_ACCEPT);
            System.out.println("READY");
            System.out.flush();
            ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);
            long served = 0;
            while (System.currentTimeMillis() < deadlineMs) {
                selector.select(100);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    try {
                        if (k.isAcceptable()) {
                            SocketChannel c;
                            while ((c = listen.accept()) != null) {
                                c.configureBlocking(false);
                                Served s = new Served();
                                s.toRead = requestBytes;
                                c.register(selector, SelectionKey.OP_READ, s);
                            }
                        } else if (k.isReadable()) {
                            SocketChannel c = (SocketChannel) k.channel();
                            Served s = (Served) k.attachment();
                            scratch.clear();
                            int n = c.read(scratch);
                            if (n < 0) {
                                c.close();
                                continue;
                            }
                            s.toRead -= n;
                            if (s.toRead <= 0 && !s.responded) {
                                s.responded = true;
                                s.response = ByteBuffer.allocate(responseBytes);
                                c.write(s.response);
                                if (s.response.hasRemaining()) {
                                    k.interestOps(SelectionKey.OP_WRITE);
                                } else {
                                    served++;
                                    finishResponse(k, c, serverCloses);
                                }
                            }
                        } else if (k.isWritable()) {
                            SocketChannel c = (SocketChannel) k.channel();
                            Served s = (Served) k.attachment();
                            c.write(s.response);
                            if (!s.response.hasRemaining()) {
                                served++;
                                finishResponse(k, c, serverCloses);
                            }
                        }
                    } catch (IOException e) {
                        k.channel().close();
                    }
                }
            }
            System.out.println("SERVED " + served);
        }
    }

    private static void finishResponse(SelectionKey k, SocketChannel c, boolean serverCloses) throws IOException {
        if (serverCloses) {
            c.close(); // HTTP/1.0: the server closes first and keeps the TIME_WAIT
        } else {
            k.interestOps(SelectionKey.OP_READ); // wait for the client's FIN, then close
        }
    }

    /** One client connection. */
    private static final class Attempt {
        final long startNs;
        SocketChannel channel;
        long connectNs = -1;
        long sentNs = -1;
        long firstByteNs = -1;
        int received;
        int localPort;
        String outcome;
        ByteBuffer request;

        Attempt(long startNs) {
            this.startNs = startNs;
        }
    }

    static void client(String serverIp, int port, double rate, long durationMs, long startEpochMs,
                       long connectTimeoutMs, int requestBytes, int responseBytes, long seed, boolean poisson,
                       Path out, boolean clientCloses) throws Exception {
        long wait = startEpochMs - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        long t0 = System.nanoTime();
        long endNs = t0 + durationMs * 1_000_000L;
        long hardEndNs = endNs + (connectTimeoutMs + 5_000) * 1_000_000L;
        SplittableRandom random = new SplittableRandom(seed);
        InetSocketAddress server = new InetSocketAddress(serverIp, port);
        List<Attempt> done = new ArrayList<>();
        ArrayDeque<Attempt> connecting = new ArrayDeque<>();
        ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);
        int open = 0;
        // As the simulator's ClientWorkload: paced arrivals start at t0 itself, Poisson ones one gap after it.
        long nextNs = poisson ? t0 + gap(rate, true, random) : t0;
        try (Selector selector = Selector.open()) {
            while (System.nanoTime() < hardEndNs && (System.nanoTime() < endNs || open > 0)) {
                long now = System.nanoTime();
                while (nextNs <= now && nextNs < endNs) {
                    // Arrivals follow the schedule; latency counts from the connect() call itself.
                    Attempt a = new Attempt(System.nanoTime());
                    a.channel = SocketChannel.open();
                    a.channel.configureBlocking(false);
                    try {
                        if (a.channel.connect(server)) {
                            connected(a, System.nanoTime(), requestBytes);
                            a.channel.register(selector, SelectionKey.OP_WRITE, a);
                        } else {
                            a.channel.register(selector, SelectionKey.OP_CONNECT, a);
                            connecting.add(a);
                        }
                        open++;
                    } catch (IOException e) {
                        a.outcome = "no-port";
                        a.channel.close();
                        done.add(a);
                    }
                    nextNs += gap(rate, poisson, random);
                }
                // Connect timeouts: the oldest attempts first.
                while (!connecting.isEmpty()) {
                    Attempt a = connecting.peek();
                    if (a.connectNs >= 0 || a.outcome != null) {
                        connecting.poll();
                    } else if (now - a.startNs >= connectTimeoutMs * 1_000_000L) {
                        connecting.poll();
                        a.outcome = "connect-timeout";
                        a.channel.close();
                        done.add(a);
                        open--;
                    } else {
                        break;
                    }
                }
                long sleepNs = Math.min(nextNs < endNs ? nextNs - System.nanoTime() : 10_000_000L, 10_000_000L);
                if (sleepNs > 0) {
                    selector.select(Math.max(1, sleepNs / 1_000_000L));
                } else {
                    selector.selectNow();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    Attempt a = (Attempt) k.attachment();
                    if (a.outcome != null) {
                        continue;
                    }
                    try {
                        if (k.isConnectable()) {
                            if (a.channel.finishConnect()) {
                                connected(a, System.nanoTime(), requestBytes);
                                k.interestOps(SelectionKey.OP_WRITE);
                            }
                        } else if (k.isWritable()) {
                            a.channel.write(a.request);
                            if (!a.request.hasRemaining()) {
                                a.sentNs = System.nanoTime();
                                k.interestOps(SelectionKey.OP_READ);
                            }
                        } else if (k.isReadable()) {
                            scratch.clear();
                            int n = a.channel.read(scratch);
                            if (n > 0 && a.firstByteNs < 0) {
                                a.firstByteNs = System.nanoTime();
                            }
                            if (n > 0) {
                                a.received += n;
                            }
                            if (clientCloses && a.received >= responseBytes) {
                                // client-close: the whole response is in, so the client closes first (TIME_WAIT here).
                                a.outcome = "ok";
                                a.channel.close();
                                done.add(a);
                                open--;
                            } else if (n < 0) {
                                a.outcome = a.received >= responseBytes ? "ok" : "incomplete";
                                a.channel.close();
                                done.add(a);
                                open--;
                            }
                        }
                    } catch (IOException e) {
                        String m = String.valueOf(e.getMessage());
                        a.outcome = a.connectNs < 0 ? (m.contains("refused") ? "refused" : "reset") : "reset";
                        a.channel.close();
                        done.add(a);
                        open--;
                    }
                }
            }
            for (SelectionKey k : selector.keys()) {
                Attempt a = (Attempt) k.attachment();
                if (a != null && a.outcome == null) {
                    a.outcome = a.connectNs < 0 ? "connect-timeout" : "timeout";
                    done.add(a);
                }
                k.channel().close();
            }
        }
        done.sort((x, y) -> Long.compare(x.startNs, y.startNs));
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            w.println("start_ms,connect_us,first_byte_us,local_port,outcome");
            for (Attempt a : done) {
                w.printf(Locale.ROOT, "%.3f,%d,%d,%d,%s%n", (a.startNs - t0) / 1e6,
                        a.connectNs < 0 ? -1 : (a.connectNs - a.startNs) / 1000,
                        a.firstByteNs < 0 || a.sentNs < 0 ? -1 : (a.firstByteNs - a.sentNs) / 1000, a.localPort,
                        a.outcome);
            }
        }
        System.out.println("DONE " + done.size());
    }

    private static void connected(Attempt a, long now, int requestBytes) throws IOException {
        a.connectNs = now;
        a.localPort = ((InetSocketAddress) a.channel.getLocalAddress()).getPort();
        a.request = ByteBuffer.allocate(requestBytes);
    }

    private static long gap(double rate, boolean poisson, SplittableRandom random) {
        double seconds = poisson ? -Math.log(1 - random.nextDouble()) / rate : 1.0 / rate;
        return Math.max(1, (long) (seconds * 1e9));
    }
}
