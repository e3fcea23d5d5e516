package io.concierge.gateway.server;

import java.util.Set;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http2.Http2ConnectionSelector;
import io.helidon.webserver.http2.Http2Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * The only connection selector of a public listener: it decides by the first request line which
 * protocol serves the connection, where Helidon 4.3.0 on its own would
 *
 * <ul>
 *   <li>drop an HTTP/1.0 request without any answer (or answer 505): HTTP/1.0 is served here
 *       through {@link Http10Exchange};</li>
 *   <li>with HTTP/2 beside HTTP/1 on a plain listener, wait for more bytes after a malformed
 *       request line until a timeout instead of answering 400: everything that is not HTTP/1.0 or
 *       an enabled HTTP/2 preface goes to Helidon's HTTP/1.1 parser, which answers 400 problem and
 *       closes;</li>
 *   <li>accept HTTP/2 on any listener that has the module on its class path (prior knowledge and
 *       {@code Upgrade: h2c}): here only when {@code http2} is given (TLS by ALPN, or h2c when
 *       configured).</li>
 * </ul>
 * Every HTTP/1 connection also gets {@link ChunkLineReader} (chunk extensions) and the
 * {@link ConnectionFraming} state that closes it after an early answer or {@code Connection: close}.
 */
public final class ProtocolGate implements ServerConnectionSelector {
    private final int maxRequestLine;
    private final Http1ConnectionSelector http11;
    private final Http1ConnectionSelector http10;
    private final Http2ConnectionSelector http2;
    /** Plain listeners: HTTP/1.1 reads watched instead of timed (see {@link ReadWatch}); null on TLS. */
    private final ClientTimeouts.ReadWatching reads;

    private ProtocolGate(Http1Config http1, Http2Config http2, boolean h2cUpgrade, ClientTimeouts.ReadWatching reads) {
        this.reads = reads;
        this.maxRequestLine = http1.maxPrologueLength();
        var b = Http1ConnectionSelector.builder().config(http1);
        if (http2 != null && h2cUpgrade) {
            b.addUpgrader(Http2Upgrader.create(http2));
        }
        this.http11 = b.build();
        // HTTP/1.0 has no Host header requirement (RFC 9112 section 3.2 asks it of HTTP/1.1 only).
        @SuppressWarnings("removal")
        Http1Config lenient = Http1Config.builder().from(http1).validateRequestHostHeader(false).build();
        this.http10 = Http1ConnectionSelector.builder().config(lenient).build();
        this.http2 = http2 == null ? null : Http2ConnectionSelector.builder().http2Config(http2).build();
    }

    /** A plain listener: HTTP/1.x, and HTTP/2 (prior knowledge and {@code Upgrade: h2c}) only with {@code h2c}. */
    public static ProtocolGate plain(Http1Config http1, Http2Config h2c, ClientTimeouts.ReadWatching reads) {
        return new ProtocolGate(http1, h2c, true, reads);
    }

    /** A TLS listener: HTTP/1.x, and HTTP/2 as ALPN negotiates it (no cleartext upgrade inside TLS). */
    public static ProtocolGate tls(Http1Config http1, Http2Config http2) {
        return new ProtocolGate(http1, http2, false, null);
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData data) {
        return Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http2 == null ? Set.of("http/1.1") : Set.of("h2", "http/1.1");
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new GatedConnection(ctx, this);
    }

    int maxRequestLine() {
        return maxRequestLine;
    }

    /** The connection for a first request line (without its CRLF); null line: let HTTP/1.1 refuse it. */
    ServerConnection serve(ConnectionContext ctx, byte[] line) {
        if (line != null && http2 != null && RequestLines.isHttp2Preface(line)) {
            return http2.connection(ctx);
        }
        if (line != null && RequestLines.isHttp10(line)) {
            return http10.connection(Http10Exchange.context(ctx, line.length));
        }
        return http11.connection(FramedContext.http11(ctx, reads));
    }
}
