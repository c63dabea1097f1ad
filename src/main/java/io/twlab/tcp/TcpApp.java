package io.twlab.tcp;

/** Callbacks from a connection to the application that owns it. Reactions are instantaneous. */
public interface TcpApp {
    void onEstablished(TcpConnection c);

    void onData(TcpConnection c, int bytes);

    /** The peer's FIN arrived in order (read() returned 0). */
    void onPeerFin(TcpConnection c);

    /** The connection is gone for the application (it may still linger in TIME_WAIT or FIN_WAIT2). */
    void onClosed(TcpConnection c, CloseReason reason);
}
