package io.concierge.gateway.server;

import io.concierge.gateway.config.Http2Limits;
import io.concierge.gateway.config.ServerLimits;
import io.concierge.gateway.problem.ProblemDirectHandler;
import io.helidon.http.DirectHandler;
import io.helidon.http.Header;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http2.Http2Config;

/** Applies the protocols and protocol limits shared by the edge and every gateway to their public listeners. */
public final class Listeners {
    private Listeners() {
    }

    /**
     * The public plain listener: the protocol limits, HTTP/1.1 and HTTP/1.0, and HTTP/2 (prior
     * knowledge and {@code Upgrade: h2c}) only when {@code h2c} is set ({@code listen.h2c}).
     *
     * @param timeouts the server's own (its {@link ServerRuntime#clientTimeouts()})
     */
    public static void applyLimits(WebServerConfig.Builder builder, ServerLimits limits, boolean h2c,
                                   ClientTimeouts timeouts) {
        applyCommon(builder, limits, timeouts);
        builder.addConnectionSelector(ProtocolGate.plain(http1(limits, timeouts), h2c ? http2(limits) : null,
                timeouts.readWatching(limits.readTimeout())));
        builder.shutdownHook(false);
    }

    /** The same limits on a TLS listener (the edge's), with HTTP/2 by ALPN under {@code server.http2}. */
    public static void applyTlsLimits(ListenerConfig.BuilderBase<?, ?> builder, ServerLimits limits,
                                      ClientTimeouts timeouts) {
        applyCommon(builder, limits, timeouts);
        builder.addConnectionSelector(ProtocolGate.tls(http1(limits, timeouts), http2(limits)));
    }

    /**
     * An admin listener: HTTP/1.1 only. Without this, the HTTP/2 module on the class path would
     * also accept cleartext HTTP/2 there.
     */
    public static void applyAdmin(ListenerConfig.BuilderBase<?, ?> builder) {
        builder.protocolsDiscoverServices(false);
        builder.addProtocol(Http1Config.create());
    }

    /** Helidon's HTTP/2 settings from {@code server.http2}. */
    public static Http2Config http2(ServerLimits limits) {
        Http2Limits h = limits.http2();
        return Http2Config.builder()
                .maxConcurrentStreams(h.maxConcurrentStreams())
                .maxHeaderListSize(h.maxHeaderListSize())
                .initialWindowSize(h.initialWindowSize())
                .maxFrameSize(h.maxFrameSize())
                .maxRapidResets(h.maxRapidResets())
                .rapidResetCheckPeriod(h.rapidResetPeriod())
                .maxEmptyFrames(h.maxEmptyFrames())
                .build();
    }

    private static Http1Config http1(ServerLimits limits, ClientTimeouts timeouts) {
        return Http1Config.builder()
                // Helidon's parser limit is the hard stop that bounds memory; the listener
                // below answers 431 at the configured limit (it sees whole headers, so
                // Helidon's is set above it) and ProblemDirectHandler turns the parser's
                // own refusal into a 431 as well.
                .maxHeadersSize((int) Math.min(2L * limits.maxHeaderSize(), 2 * 1024 * 1024))
                // One listener each way only: Helidon 4.3.0's wrapper for several forwards no
                // callbacks at all, so the checks would silently stop working.
                .addReceiveListener(new HeadChecks(new HeaderSizeLimit(limits.maxHeaderSize()),
                        timeouts.headDeadline(limits.headerTimeout())))
                .addSendListener(ConnectionFraming.sendListener())
                .maxPrologueLength(limits.maxUriLength())
                .build();
    }

    private static void applyCommon(ListenerConfig.BuilderBase<?, ?> builder, ServerLimits limits,
                                    ClientTimeouts timeouts) {
        // Only the protocols ProtocolGate serves: with discovery, every protocol module on the class
        // path (HTTP/2 by prior knowledge and h2c) would be accepted on every listener.
        builder.protocolsDiscoverServices(false);
        builder.connectionOptions(ClientTimeouts.socketOptions(limits.readTimeout()));
        // Helidon's idle-connection check bounds the request line: the socket timeout alone would
        // let a client drip it a byte at a time, and the head deadline starts only after it.
        builder.idleConnectionTimeout(limits.readTimeout());
        builder.idleConnectionPeriod(idleCheckPeriod(limits));
        builder.directHandlers(refusals(timeouts));
        // Hands the parser's message to ProblemDirectHandler (Helidon passes null otherwise), which
        // needs it to tell "header size exceeded" (431) from other malformed heads. The message is
        // never echoed to the client; Helidon uses this flag nowhere else.
        builder.errorHandling(e -> e.includeEntity(true));
    }

    /** Problem answers for heads the HTTP layer refuses, which also end that head's deadline. */
    private static DirectHandlers refusals(ClientTimeouts timeouts) {
        DirectHandlers problems = ProblemDirectHandler.handlers();
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            DirectHandler problem = problems.handler(type);
            b.addHandler(type, (request, eventType, status, headers, message) -> {
                timeouts.headRefused();
                return problem.handle(request, eventType, status, headers, message);
            });
        }
        return b.build();
    }

    /** The header deadline runs first, so an oversized head that was also late is counted as late. */
    private record HeadChecks(Http1ConnectionListener size, Http1ConnectionListener deadline)
            implements Http1ConnectionListener {
        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
            ConnectionFraming.requestStarted();
            deadline.prologue(ctx, prologue);
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            deadline.headers(ctx, headers);
            size.headers(ctx, headers);
        }
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
