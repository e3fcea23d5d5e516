package io.concierge.gateway.server;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.ServerConnectionException;

/**
 * The connection context Helidon's HTTP/1 connection runs on behind a {@link ProtocolGate}: the
 * same socket, read through a {@link ChunkLineReader} (and, for HTTP/1.0, with its first line
 * rewritten and the answer written through {@link Http10Exchange}).
 */
final class FramedContext implements ConnectionContext {
    private final ConnectionContext ctx;
    private final DataReader reader;
    private final DataWriter writer;
    /**
     * The socket's peer, asked once per connection: Helidon builds a new {@code PeerInfo} (and its
     * lazy values) on every call, and every request asks for it (client address, forwarding headers).
     * A connection's peer never changes; a race only builds the same value twice.
     */
    private volatile PeerInfo remotePeer;

    private FramedContext(ConnectionContext ctx, DataReader reader, DataWriter writer) {
        this.ctx = ctx;
        this.reader = reader;
        this.writer = writer;
    }

    /**
     * HTTP/1.1: the bytes as they came; with {@code reads}, every socket read from here on under a
     * {@link ReadWatch} instead of {@code SO_TIMEOUT}.
     */
    static ConnectionContext http11(ConnectionContext ctx, ClientTimeouts.ReadWatching reads) {
        byte[] first = buffered(ctx.dataReader());
        ReadWatch watch = reads == null ? null : reads.watch(ctx.serverSocket());
        return new FramedContext(ctx, new ChunkLineReader(socketAfter(ctx, first, watch)), ctx.dataWriter());
    }

    static ConnectionContext of(ConnectionContext ctx, DataReader reader, DataWriter writer) {
        return new FramedContext(ctx, reader, writer);
    }

    /** What the gate's reader already holds (at least the first line), taken out of it. */
    static byte[] buffered(DataReader reader) {
        byte[] bytes = new byte[reader.available()];
        if (bytes.length > 0) {
            reader.readBuffer(bytes.length).read(bytes);
        }
        return bytes;
    }

    /**
     * {@code first}, then the socket's own reads: after the first line the gate's reader is not used
     * again, so nothing is copied twice.
     */
    static Supplier<byte[]> socketAfter(ConnectionContext ctx, byte[] first) {
        return socketAfter(ctx, first, null);
    }

    /** The same, each socket read under {@code watch} when there is one. */
    static Supplier<byte[]> socketAfter(ConnectionContext ctx, byte[] first, ReadWatch watch) {
        HelidonSocket socket = ctx.serverSocket();
        byte[][] pending = {first};
        return () -> {
            byte[] b = pending[0];
            if (b != null) {
                pending[0] = null;
                if (b.length > 0) {
                    return b;
                }
            }
            if (watch == null) {
                try {
                    return socket.get();
                } catch (UncheckedIOException e) {
                    // As Helidon's own reader does: a failed socket read ends the connection quietly.
                    throw new ServerConnectionException("Failed to get data from socket", e);
                }
            }
            return watchedRead(socket, watch);
        };
    }

    private static byte[] watchedRead(HelidonSocket socket, ReadWatch watch) {
        watch.start();
        byte[] data;
        try {
            data = socket.get();
        } catch (UncheckedIOException e) {
            if (!watch.finish()) {
                throw readTimedOut();
            }
            throw new ServerConnectionException("Failed to get data from socket", e);
        }
        if (!watch.finish()) {
            throw readTimedOut();
        }
        return data;
    }

    /**
     * What a socket timeout used to throw: a {@link SocketTimeoutException} in the causes is what
     * makes a stalled body a 408 (the proxy's {@code ClientBodyException}).
     */
    private static ServerConnectionException readTimedOut() {
        return new ServerConnectionException("Failed to get data from socket",
                new UncheckedIOException(new SocketTimeoutException("Read timed out (read-timeout)")));
    }

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public DataWriter dataWriter() {
        return writer;
    }

    @Override
    public ListenerContext listenerContext() {
        return ctx.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return ctx.executor();
    }

    @Override
    public Router router() {
        return ctx.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return ctx.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return ctx.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        PeerInfo peer = remotePeer;
        if (peer == null) {
            peer = ctx.remotePeer();
            remotePeer = peer;
        }
        return peer;
    }

    @Override
    public PeerInfo localPeer() {
        return ctx.localPeer();
    }

    @Override
    public boolean isSecure() {
        return ctx.isSecure();
    }

    @Override
    public String socketId() {
        return ctx.socketId();
    }

    @Override
    public String childSocketId() {
        return ctx.childSocketId();
    }
}
