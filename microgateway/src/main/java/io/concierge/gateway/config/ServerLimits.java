package io.concierge.gateway.config;

import java.time.Duration;

/**
 * Protocol limits of a listening socket. Requests beyond them are refused by the HTTP layer before
 * any routing happens.
 *
 * @param maxHeaderSize  total size of request headers in bytes; beyond it 431 (default 16384)
 * @param maxUriLength   request line length in bytes; beyond it 414 (default 8192)
 * @param readTimeout    a client that sends nothing for this long is disconnected: before its first
 *                       byte, between requests, and in the middle of a request head or body (default 30s)
 * @param headerTimeout  the whole request head (request line and headers) must arrive within this
 *                       time, so a client dripping a byte at a time cannot hold a connection either
 *                       (default 10s, like a load balancer's header timeout)
 * @param allowEncodedSlash forward paths containing {@code %2F} or {@code %5C}; off by default because
 *                       an upstream that decodes them may see a different path than the one routed
 * @param http2          limits of HTTP/2 connections ({@code server.http2}: the edge's TLS listener,
 *                       and a plain listener with {@code listen.h2c})
 */
public record ServerLimits(int maxHeaderSize, int maxUriLength, Duration readTimeout, Duration headerTimeout,
                           boolean allowEncodedSlash, Http2Limits http2) {
    public static ServerLimits defaults() {
        return new ServerLimits(16 * 1024, 8 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(10), false);
    }

    /** With the default HTTP/2 limits for {@code maxHeaderSize}. */
    public ServerLimits(int maxHeaderSize, int maxUriLength, Duration readTimeout, Duration headerTimeout,
                        boolean allowEncodedSlash) {
        this(maxHeaderSize, maxUriLength, readTimeout, headerTimeout, allowEncodedSlash,
                Http2Limits.defaults(maxHeaderSize));
    }

    public static ServerLimits read(ConfigNode node) {
        ServerLimits d = defaults();
        int maxHeaderSize = node.integer("max-header-size", d.maxHeaderSize(), 1024, 1024 * 1024);
        ServerLimits l = new ServerLimits(
                maxHeaderSize,
                node.integer("max-uri-length", d.maxUriLength(), 256, 1024 * 1024),
                node.duration("read-timeout", d.readTimeout()),
                node.duration("header-timeout", d.headerTimeout()),
                node.bool("allow-encoded-slash", d.allowEncodedSlash()),
                Http2Limits.read(node.object("http2"), maxHeaderSize));
        // Zero would mean "wait forever" to the socket layer: exactly what these limits prevent.
        if (l.readTimeout().isZero()) {
            throw node.error("read-timeout", "must be greater than 0");
        }
        if (l.headerTimeout().isZero()) {
            throw node.error("header-timeout", "must be greater than 0");
        }
        node.rejectUnknownKeys();
        return l;
    }
}
