package io.twlab.workload;

import io.twlab.metrics.FailureCause;

import io.twlab.engine.EventHandler;
import io.twlab.engine.Simulator;
import io.twlab.metrics.ClientStats;
import io.twlab.metrics.ConnectionLog;
import io.twlab.tcp.CloseReason;
import io.twlab.tcp.TcpApp;
import io.twlab.tcp.TcpConnection;
import io.twlab.tcp.TcpHost;
import io.twlab.tcp.TcpState;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A group of client hosts opening connections to a service at a rate profile. Each arrival is one request:
 * connect (with the application's connect timeout), send the request, read the response, close as the
 * pattern says; a failed request is retried on a new socket if the retry policy allows.
 */
public final class ClientWorkload implements EventHandler, TcpApp {
    private static final int EV_ARRIVAL = 0;
    private static final int EV_CONNECT_TIMEOUT = 1;
    private static final int EV_RETRY = 2;
    private static final int EV_REPLAYED_ARRIVAL = 3;

    private final Simulator sim;
    private final String name;
    private final TcpHost[] clients;
    private final int[] serverIps;
    private final int serverPort;
    private final RateProfile rate;
    private final Arrivals arrivals;
    private final ServiceSpec service;
    private final long connectTimeoutNs;
    private final int retries;
    private final long retryDelayNs;
    private final boolean randomHostChoice;
    private final long startNs;
    private final long endNs;
    private final SplittableRandom random;
    private final ClientStats stats;
    private int nextClient;
    private int nextServer;
    /** Arrivals so far; a constant paced rate places arrival k at exactly start + k / rate. */
    private long arrivalCount;
    private ConnectionLog connectionLog;
    /** Recorded arrival times per client host (index of {@link #clients}), replacing the arrival process; or null. */
    private long[][] replayed;
    private int[] replayedNext;
    private int index;

    public ClientWorkload(Simulator sim, String name, TcpHost[] clients, int[] serverIps, int serverPort,
                          RateProfile rate, Arrivals arrivals, ServiceSpec service, long connectTimeoutNs,
                          int retries, long retryDelayNs, boolean randomHostChoice, long startNs, long endNs,
                          SplittableRandom random, ClientStats stats) {
        this.sim = sim;
        this.name = name;
        this.clients = clients;
        this.serverIps = serverIps;
        this.serverPort = serverPort;
        this.rate = rate;
        this.arrivals = arrivals;
        this.service = service;
        this.connectTimeoutNs = connectTimeoutNs;
        this.retries = retries;
        this.retryDelayNs = retryDelayNs;
        this.randomHostChoice = randomHostChoice;
        this.startNs = startNs;
        this.endNs = endNs;
        this.random = random;
        this.stats = stats;
    }

    public String name() {
        return name;
    }

    public RateProfile rate() {
        return rate;
    }

    /**
     * Replaces the arrival process by recorded times: each client host named in {@code arrivalsByHost} opens one
     * connection at each of its times (ns from the start, ascending); the others open none. {@code twlab lab} uses it
     * to simulate the very arrivals its real clients made, so the comparison is run by run. Call before start().
     */
    public void replay(Map<String, long[]> arrivalsByHost) {
        replayed = new long[clients.length][];
        replayedNext = new int[clients.length];
        for (int h = 0; h < clients.length; h++) {
            replayed[h] = arrivalsByHost.getOrDefault(clients[h].name(), new long[0]).clone();
            Arrays.sort(replayed[h]);
        }
    }

    public void start() {
        if (replayed != null) {
            for (int h = 0; h < clients.length; h++) {
                scheduleReplayed(h);
            }
            return;
        }
        if (arrivals != Arrivals.POISSON && rate.rateAt(startNs) > 0) {
            sim.at(startNs, this, EV_ARRIVAL, 0, null);
        } else {
            scheduleNextArrival(startNs);
        }
    }

    /** One request and its current connection attempt. */
    private static final class Request {
        long id;
        long arrivalNs;
        /** The client host every attempt uses (paced-per-host), or -1: chosen per attempt. */
        int hostIndex;
        int attempts;
        int clientIp;
        int serverIp;
        long connectMicros = -1;
        long firstByteMicros = -1;
        int retriesLeft;
        long connectStartNs;
        int connectGeneration;
        int exchangesDone;
        int responseBytes;
        boolean finished;
        boolean established;
        long requestSentNs = -1;
        TcpConnection conn;
        long connectTimeoutEvent;
    }

    private void scheduleNextArrival(long from) {
        long t = from;
        // Skip stretches where the rate is zero, looking ahead a second at a time.
        double r = rate.rateAt(t);
        while (r <= 0) {
            t += Simulator.NS_PER_SEC;
            if (t >= endNs) {
                return;
            }
            r = rate.rateAt(t);
        }
        long next;
        if (arrivals == Arrivals.PACED_PER_HOST) {
            // One instant per rate / hosts; arrivalCount / hosts instants have passed.
            double perHost = r / clients.length;
            next = rate.isConstant() ? startNs + (long) Math.ceil(arrivalCount / clients.length
                    * (double) Simulator.NS_PER_SEC / perHost) : t + Math.max(1, Math.round(Simulator.NS_PER_SEC / perHost));
        } else if (arrivals == Arrivals.PACED && rate.isConstant()) {
            next = startNs + (long) Math.ceil(arrivalCount * (double) Simulator.NS_PER_SEC / r);
        } else {
            double gapSeconds = arrivals == Arrivals.POISSON ? -Math.log(1 - random.nextDouble()) / r : 1.0 / r;
            next = t + Math.max(1, Math.round(gapSeconds * Simulator.NS_PER_SEC));
        }
        if (next < endNs) {
            sim.at(next, this, EV_ARRIVAL, 0, null);
        }
    }

    @Override
    public void onEvent(Simulator sim, int kind, long arg, Object payload) {
        switch (kind) {
            case EV_ARRIVAL -> {
                if (arrivals == Arrivals.PACED_PER_HOST) {
                    for (int h = 0; h < clients.length; h++) {
                        arrive(h);
                    }
                } else {
                    arrive(-1);
                }
                scheduleNextArrival(sim.now());
            }
            case EV_CONNECT_TIMEOUT -> {
                Request req = (Request) payload;
                if (!req.finished && req.connectGeneration == arg && req.conn.state() == TcpState.SYN_SENT) {
                    req.conn.abort();
                    fail(req, FailureCause.CONNECT_TIMEOUT);
                }
            }
            case EV_RETRY -> connect((Request) payload);
            case EV_REPLAYED_ARRIVAL -> {
                arrive((int) arg);
                scheduleReplayed((int) arg);
            }
            default -> throw new IllegalStateException("unknown workload event " + kind);
        }
    }

    private void scheduleReplayed(int h) {
        if (replayedNext[h] < replayed[h].length) {
            long at = startNs + replayed[h][replayedNext[h]++];
            if (at < endNs) {
                sim.at(Math.max(at, sim.now()), this, EV_REPLAYED_ARRIVAL, h, null);
            }
        }
    }

    /** A new request, from client host {@code hostIndex} or (-1) one chosen by host-choice. */
    private void arrive(int hostIndex) {
        arrivalCount++;
        stats.attempt();
        Request req = new Request();
        req.id = arrivalCount - 1;
        req.arrivalNs = sim.now();
        req.retriesLeft = retries;
        req.hostIndex = hostIndex;
        connect(req);
    }

    private void connect(Request req) {
        TcpHost host = clients[req.hostIndex >= 0 ? req.hostIndex
                : randomHostChoice ? random.nextInt(clients.length) : nextClient++ % clients.length];
        int server = serverIps[nextServer++ % serverIps.length];
        req.connectStartNs = sim.now();
        req.connectGeneration++;
        req.exchangesDone = 0;
        req.responseBytes = 0;
        req.established = false;
        req.attempts++;
        req.clientIp = host.ip();
        req.serverIp = server;
        req.conn = null;
        stats.connectStarted();
        TcpConnection c = host.connect(server, serverPort, this);
        if (c == null) {
            fail(req, FailureCause.NO_PORT);
            return;
        }
        c.appState = req;
        req.conn = c;
        if (connectTimeoutNs > 0) {
            req.connectTimeoutEvent = sim.after(connectTimeoutNs, this, EV_CONNECT_TIMEOUT, req.connectGeneration, req);
        }
    }

    private void fail(Request req, FailureCause cause) {
        if (req.finished) {
            return;
        }
        if (req.retriesLeft > 0) {
            req.retriesLeft--;
            sim.after(retryDelayNs, this, EV_RETRY, 0, req);
            return;
        }
        req.finished = true;
        stats.failure(cause);
        log(req, (byte) (1 + cause.ordinal()));
    }

    private void succeed(Request req) {
        if (!req.finished) {
            req.finished = true;
            stats.success();
            log(req, ConnectionLog.OK);
        }
    }

    private void log(Request req, byte outcome) {
        if (connectionLog != null && connectionLog.keeps(req.id)) {
            TcpConnection c = req.conn;
            connectionLog.add(req.id, index, req.arrivalNs, sim.now(), req.clientIp,
                    c == null ? 0 : c.localPort(), req.serverIp, req.attempts,
                    c == null ? 0 : c.synRetransmissions(), req.connectMicros, req.firstByteMicros, outcome);
        }
    }

    /** Records finished requests (sampled as the log says) into {@code log}, as workload number {@code index}. */
    public void recordConnections(ConnectionLog log, int index) {
        this.connectionLog = log;
        this.index = index;
    }

    @Override
    public void onEstablished(TcpConnection c) {
        Request req = (Request) c.appState;
        req.established = true;
        sim.cancel(req.connectTimeoutEvent);
        stats.connected(sim.now() - req.connectStartNs, c.synRetransmissions());
        req.connectMicros = (sim.now() - req.connectStartNs) / 1000;
        req.requestSentNs = sim.now();
        c.send(service.requestBytes());
    }

    @Override
    public void onData(TcpConnection c, int bytes) {
        Request req = (Request) c.appState;
        if (req.requestSentNs >= 0) {
            stats.firstByte(sim.now() - req.requestSentNs);
            if (req.firstByteMicros < 0) {
                req.firstByteMicros = (sim.now() - req.requestSentNs) / 1000;
            }
            req.requestSentNs = -1;
        }
        req.responseBytes += bytes;
        if (req.responseBytes < service.responseBytes()) {
            return;
        }
        req.responseBytes -= service.responseBytes();
        req.exchangesDone++;
        switch (service.pattern()) {
            case HTTP10 -> {
                // The server's FIN ends the exchange.
            }
            case CLIENT_CLOSE -> {
                succeed(req);
                c.close();
            }
            case KEEP_ALIVE -> {
                if (req.exchangesDone < service.requestsPerConnection()) {
                    req.requestSentNs = sim.now();
                    c.send(service.requestBytes());
                } else {
                    succeed(req);
                    c.close();
                }
            }
        }
    }

    @Override
    public void onPeerFin(TcpConnection c) {
        Request req = (Request) c.appState;
        if (req.exchangesDone >= service.requestsPerConnection()) {
            succeed(req);
        } else {
            fail(req, FailureCause.INCOMPLETE);
        }
        c.close();
    }

    @Override
    public void onClosed(TcpConnection c, CloseReason reason) {
        Request req = (Request) c.appState;
        if (req.finished || req.conn != c) {
            return;
        }
        switch (reason) {
            case NORMAL -> {
                if (req.exchangesDone >= service.requestsPerConnection()) {
                    succeed(req);
                } else {
                    fail(req, FailureCause.INCOMPLETE);
                }
            }
            case REFUSED -> fail(req, FailureCause.REFUSED);
            case RESET -> fail(req, FailureCause.RESET);
            case TIMED_OUT -> fail(req, req.established ? FailureCause.TIMEOUT : FailureCause.SYN_TIMEOUT);
            case ABORTED -> fail(req, FailureCause.CONNECT_TIMEOUT);
            case NO_PORT -> fail(req, FailureCause.NO_PORT);
        }
    }
}
