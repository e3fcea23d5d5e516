package io.concierge.gateway.pipeline;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import io.helidon.webserver.http.ServerRequest;

/** The socket peer's IP address as text; the starting point for the trusted-proxy rule. */
public final class ClientAddress {
    private ClientAddress() {
    }

    public static String of(ServerRequest req) {
        if (req.remotePeer().address() instanceof InetSocketAddress isa) {
            InetAddress a = isa.getAddress();
            return a != null ? a.getHostAddress() : isa.getHostString();
        }
        return "unknown";
    }
}
