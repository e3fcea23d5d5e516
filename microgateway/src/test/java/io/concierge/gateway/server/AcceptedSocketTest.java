package io.concierge.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import org.junit.jupiter.api.Test;

import io.helidon.common.socket.PlainSocket;

/**
 * The read watch needs the socket under Helidon's {@link PlainSocket}; if a Helidon upgrade hides
 * it, connections silently fall back to timed reads (correct, but a third more CPU per hop), so
 * this pins that it is found.
 */
class AcceptedSocketTest {
    @Test
    void theSocketUnderHelidonsPlainSocketIsReachable() throws Exception {
        assertTrue(AcceptedSocket.reachable(), "PlainSocket.delegate not found: reads fall back to SO_TIMEOUT");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            PlainSocket helidon = PlainSocket.server(accepted, "c", "s");
            Socket found = AcceptedSocket.plain(helidon);
            assertNotNull(found);
            assertEquals(accepted, found);
            assertTrue(client.isConnected());
        }
    }

    @Test
    void aSocketOfAnotherKindIsNotTouched() {
        assertNull(AcceptedSocket.plain(null));
    }
}
