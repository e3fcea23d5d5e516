package io.concierge.gateway.server;

import io.concierge.gateway.config.ServerLimits;
import io.concierge.gateway.problem.ProblemDirectHandler;
import io.helidon.http.DirectHandler;
import io.helidon.http.Header;
import io.helidon.http.Headers;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;

/** Applies the protocol limits shared by the edge and every gateway to a server builder. */
public final class Listeners {
    private Listeners() {
    }

    public static void applyLimits(WebServerConfig.Builder builder, ServerLimits limits) {
        applyListenerLimits(builder, limits);
        builder.shutdownHook(false);
    }

    /** The same limits on an additional listener (the edge's TLS socket). */
    public static void applyListenerLimits(ListenerConfig.BuilderBase<?, ?> builder, ServerLimits limits) {
        builder.addProtocol(Http1Config.builder()
                        // Helidon 4.3.0 answers headers over its own limit with a bare 400; the
                        // listener below answers 431 at ours, so Helidon's is set above it.
                        .maxHeadersSize((int) Math.min(2L * limits.maxHeaderSize(), 2 * 1024 * 1024))
                        .addReceiveListener(new HeaderSizeLimit(limits.maxHeaderSize()))
                        .maxPrologueLength(limits.maxUriLength())
                        .build());
        builder.connectionOptions(o -> o.readTimeout(limits.readTimeout()).tcpNoDelay(true));
        // Helidon 4.3.0 never applies connectionOptions' readTimeout to accepted sockets (no
        // SO_TIMEOUT is set); its idle-connection check is what closes a connection that sends
        // nothing, between requests or within the request line. See docs/security.md for what
        // it does not cover (a client that stalls inside the header block).
        builder.idleConnectionTimeout(limits.readTimeout());
        builder.idleConnectionPeriod(idleCheckPeriod(limits));
        builder.directHandlers(ProblemDirectHandler.handlers());
    }

    /** RFC 6585 section 5: request header fields too large, counted as they were on the wire. */
    private record HeaderSizeLimit(int max) implements Http1ConnectionListener {
        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            long size = 0;
            for (Header h : headers) {
                for (String v : h.allValues()) {
                    size += h.name().length() + 4 + v.length();
                }
            }
            if (size > max) {
                throw RequestException.builder()
                        .type(DirectHandler.EventType.OTHER)
                        .status(Status.create(431, "Request Header Fields Too Large"))
                        .setKeepAlive(false)
                        .message("request header fields over " + max + " bytes")
                        .build();
            }
        }
    }

    private static java.time.Duration idleCheckPeriod(ServerLimits limits) {
        long quarter = Math.max(100, limits.readTimeout().toMillis() / 4);
        return java.time.Duration.ofMillis(Math.min(1000, quarter));
    }
}
