package io.twlab.tcp;

/** A listening socket: its backlog and the application factory for accepted connections. */
public final class Listener {
    final int port;
    final int backlog;
    final AcceptHandler acceptHandler;
    int pendingRequests;

    Listener(int port, int backlog, AcceptHandler acceptHandler) {
        this.port = port;
        this.backlog = backlog;
        this.acceptHandler = acceptHandler;
    }

    /** Supplies the application for a newly established passive connection (accept()). */
    public interface AcceptHandler {
        TcpApp accept(TcpConnection c);
    }
}
