package io.twlab.metrics;

import java.util.Arrays;

/**
 * Per-request outcomes, one row per finished request, kept column by column in primitive arrays so a run of
 * millions of requests costs a few dozen bytes each and no object per row. Sampling keeps request k when
 * k mod {@code every} is 0 (k counts arrivals per workload from 0), so the same run and seed keep the same rows.
 */
public final class ConnectionLog {
    /** Outcome code of a request that succeeded; failures use 1 + the ordinal of their {@code FailureCause}. */
    public static final byte OK = 0;

    private final int every;
    private int size;
    private long[] requestId = new long[1024];
    private int[] workload = new int[1024];
    private long[] startNs = new long[1024];
    private long[] endNs = new long[1024];
    private int[] clientIp = new int[1024];
    private int[] clientPort = new int[1024];
    private int[] serverIp = new int[1024];
    private int[] attempts = new int[1024];
    private int[] synRetransmissions = new int[1024];
    private long[] connectUs = new long[1024];
    private long[] firstByteUs = new long[1024];
    private byte[] outcome = new byte[1024];

    /** Keeps one request in {@code every} (1 keeps all). */
    public ConnectionLog(int every) {
        if (every < 1) {
            throw new IllegalArgumentException("sampling interval must be >= 1, got " + every);
        }
        this.every = every;
    }

    public int every() {
        return every;
    }

    public boolean keeps(long request) {
        return request % every == 0;
    }

    /** Records a finished request; latencies are -1 when the step never happened. */
    public void add(long request, int workloadIndex, long start, long end, int cIp, int cPort, int sIp, int tries,
                    int synRetx, long connectMicros, long firstByteMicros, byte result) {
        if (size == outcome.length) {
            grow();
        }
        int i = size++;
        requestId[i] = request;
        workload[i] = workloadIndex;
        startNs[i] = start;
        endNs[i] = end;
        clientIp[i] = cIp;
        clientPort[i] = cPort;
        serverIp[i] = sIp;
        attempts[i] = tries;
        synRetransmissions[i] = synRetx;
        connectUs[i] = connectMicros;
        firstByteUs[i] = firstByteMicros;
        outcome[i] = result;
    }

    private void grow() {
        int n = outcome.length * 2;
        requestId = Arrays.copyOf(requestId, n);
        workload = Arrays.copyOf(workload, n);
        startNs = Arrays.copyOf(startNs, n);
        endNs = Arrays.copyOf(endNs, n);
        clientIp = Arrays.copyOf(clientIp, n);
        clientPort = Arrays.copyOf(clientPort, n);
        serverIp = Arrays.copyOf(serverIp, n);
        attempts = Arrays.copyOf(attempts, n);
        synRetransmissions = Arrays.copyOf(synRetransmissions, n);
        connectUs = Arrays.copyOf(connectUs, n);
        firstByteUs = Arrays.copyOf(firstByteUs, n);
        outcome = Arrays.copyOf(outcome, n);
    }

    public int size() {
        return size;
    }

    public long requestId(int i) {
        return requestId[i];
    }

    public int workload(int i) {
        return workload[i];
    }

    public long startNs(int i) {
        return startNs[i];
    }

    public long endNs(int i) {
        return endNs[i];
    }

    public int clientIp(int i) {
        return clientIp[i];
    }

    public int clientPort(int i) {
        return clientPort[i];
    }

    public int serverIp(int i) {
        return serverIp[i];
    }

    public int attempts(int i) {
        return attempts[i];
    }

    public int synRetransmissions(int i) {
        return synRetransmissions[i];
    }

    public long connectMicros(int i) {
        return connectUs[i];
    }

    public long firstByteMicros(int i) {
        return firstByteUs[i];
    }

    public byte outcome(int i) {
        return outcome[i];
    }
}
