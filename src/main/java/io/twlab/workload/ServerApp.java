package io.twlab.workload;

import io.twlab.engine.EventHandler;
import io.twlab.engine.Simulator;
import io.twlab.tcp.CloseReason;
import io.twlab.tcp.TcpApp;
import io.twlab.tcp.TcpConnection;
import io.twlab.tcp.TcpState;

/**
 * An nginx-like server on one port: reads each request, answers after the think time, and closes first for
 * HTTP/1.0; otherwise closes when the client does.
 */
public final class ServerApp implements TcpApp, EventHandler {
    private static final int EV_RESPOND = 0;
    private final Simulator sim;
    private final ServiceSpec spec;

    public ServerApp(Simulator sim, ServiceSpec spec) {
        this.sim = sim;
        this.spec = spec;
    }

    private static final class ConnState {
        int pendingBytes;
        int served;
    }

    @Override
    public void onEstablished(TcpConnection c) {
        c.appState = new ConnState();
    }

    @Override
    public void onData(TcpConnection c, int bytes) {
        ConnState s = (ConnState) c.appState;
        s.pendingBytes += bytes;
        while (s.pendingBytes >= spec.requestBytes()) {
            s.pendingBytes -= spec.requestBytes();
            if (spec.thinkNs() > 0) {
                sim.after(spec.thinkNs(), this, EV_RESPOND, 0, c);
            } else {
                respond(c);
            }
        }
    }

    private void respond(TcpConnection c) {
        if (c.state() != TcpState.ESTABLISHED && c.state() != TcpState.CLOSE_WAIT) {
            return;
        }
        ConnState s = (ConnState) c.appState;
        s.served++;
        c.send(spec.responseBytes());
        if (spec.pattern() == Pattern.HTTP10) {
            c.close();
        }
    }

    @Override
    public void onEvent(Simulator sim, int kind, long arg, Object payload) {
        respond((TcpConnection) payload);
    }

    @Override
    public void onPeerFin(TcpConnection c) {
        c.close();
    }

    @Override
    public void onClosed(TcpConnection c, CloseReason reason) {
    }
}
