package io.concierge.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of one gateway instance that dies the way a killed process does, as seen
 * from the network: {@link #crash()} closes the listener (a new connection is refused) and resets
 * every open connection (RST), and nobody deregisters the instance. The gateway behind it keeps
 * running, which changes nothing for the edge: it only ever talks to the relay.
 *
 * <p>{@link #cutAfterResponseBytes(int)} makes it die in the middle of an answer instead: the next
 * bytes the instance sends are passed on only up to that count, then the connection ends and the
 * relay crashes.
 */
final class CrashableRelay implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;
    private volatile int cutAfter = -1;
    private volatile boolean crashed;

    private CrashableRelay(int port, int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        this.acceptor = Thread.ofVirtual().name("relay-accept-" + server.getLocalPort()).start(this::accept);
    }

    static CrashableRelay to(int targetPort) {
        return at(0, targetPort);
    }

    /** A relay on a given port: an instance that comes back where it was. */
    static CrashableRelay at(int port, int targetPort) {
        try {
            return new CrashableRelay(port, targetPort);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** The instance's next answer reaches the client only up to {@code bytes}; then it crashes. */
    void cutAfterResponseBytes(int bytes) {
        cutAfter = bytes;
    }

    boolean crashed() {
        return crashed;
    }

    /** Listener gone, every connection reset: what the edge sees of a kill -9. */
    void crash() {
        crashed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // gone either way
        }
        for (Socket s : sockets) {
            reset(s);
        }
    }

    @Override
    public void close() {
        crash();
        acceptor.interrupt();
        try {
            acceptor.join(Duration.ofSeconds(5));
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!crashed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            Socket instance = new Socket();
            try {
                instance.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
            } catch (IOException e) {
                reset(client);
                closeQuietly(instance);
                continue;
            }
            sockets.add(client);
            sockets.add(instance);
            pump(client, instance, false);
            pump(instance, client, true);
            if (crashed) {
                reset(client);
                reset(instance);
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromInstance) {
        Thread t = Thread.ofVirtual().unstarted(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    int cut = fromInstance ? cutAfter : -1;
                    if (cut > n) {
                        cutAfter = cut - n;
                    } else if (cut >= 0) {
                        // Die in the middle of the answer: the bytes so far, then the end of the
                        // connection (FIN, so they arrive before it), then everything else resets.
                        // Marked crashed first: the edge may answer its client as soon as it sees the
                        // FIN, and a test that then asks crashed() must not race this thread.
                        crashed = true;
                        out.write(buf, 0, cut);
                        out.flush();
                        to.shutdownOutput();
                        sockets.remove(to);
                        crash();
                        closeQuietly(to);
                        return;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // reset or closed: the other direction ends with it
            } finally {
                sockets.remove(from);
                sockets.remove(to);
                closeQuietly(from);
                closeQuietly(to);
                threads.remove(Thread.currentThread());
            }
        });
        threads.add(t);
        t.start();
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
