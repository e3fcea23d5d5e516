package io.concierge.gateway.server;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.net.Socket;

import javax.net.ssl.SSLSocket;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;

/**
 * The {@link Socket} under an accepted connection's {@link HelidonSocket}, which Helidon 4.3.0 does
 * not expose. We need it to take the connection's reads off {@code SO_TIMEOUT} (see
 * {@link ReadWatch}): reading from the field is the only way short of changing Helidon.
 *
 * <p>If a Helidon version renames the field, {@link #plain} returns null and connections keep
 * {@code SO_TIMEOUT}: the same limits, only the cheaper mechanism is lost.
 * {@code AcceptedSocketTest} pins that the field is found on the Helidon version we ship.
 */
final class AcceptedSocket {
    private static final MethodHandle DELEGATE = delegate();

    private AcceptedSocket() {
    }

    /**
     * The accepted plain socket, or null when it cannot be reached or is a TLS socket: an
     * {@code SSLSocket} cannot shut its input alone, which {@link ReadWatch} needs, so TLS
     * connections keep {@code SO_TIMEOUT}.
     */
    static Socket plain(HelidonSocket socket) {
        if (DELEGATE == null || !(socket instanceof PlainSocket plain) || socket.isSecure()) {
            return null;
        }
        try {
            Socket s = (Socket) DELEGATE.invoke(plain);
            return s instanceof SSLSocket ? null : s;
        } catch (Throwable e) {
            return null;
        }
    }

    /** Whether the socket field was found (false would mean every connection keeps {@code SO_TIMEOUT}). */
    static boolean reachable() {
        return DELEGATE != null;
    }

    private static MethodHandle delegate() {
        try {
            var field = PlainSocket.class.getDeclaredField("delegate");
            field.setAccessible(true);
            return MethodHandles.lookup().unreflectGetter(field);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
