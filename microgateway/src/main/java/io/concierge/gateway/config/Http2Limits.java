package io.concierge.gateway.config;

import java.time.Duration;

/**
 * What an HTTP/2 client may ask of one connection (the edge's TLS listener, and a plain listener
 * with {@code listen.h2c}), under {@code server.http2}. Helidon's own defaults (8192 streams, 1 MiB
 * windows, an 8 KiB header list) are not a choice made for a public proxy; these are, and the first
 * four are announced in the server's SETTINGS frame (a value equal to RFC 9113's default is implied
 * there, not sent).
 *
 * @param maxConcurrentStreams streams a client may have open at once (default 100, like most
 *                             public proxies); each one is a request in flight
 * @param maxHeaderListSize    decoded header list size in bytes (default: {@code server.max-header-size},
 *                             so both protocols have the same limit)
 * @param initialWindowSize    bytes a client may send on a stream before the gateway reads them
 *                             (default 65535, RFC 9113's), bounding the memory a stalled upload takes
 * @param maxFrameSize         largest frame the gateway accepts (default 16384, RFC 9113's minimum)
 * @param maxRapidResets       streams a client may open and cancel at once within
 *                             {@code rapidResetPeriod} before the connection is ended (CVE-2023-44487,
 *                             "rapid reset"; default 50 per 10s)
 * @param rapidResetPeriod     see {@code maxRapidResets}
 * @param maxEmptyFrames       consecutive DATA frames without data before the connection is ended
 *                             (default 10)
 */
public record Http2Limits(long maxConcurrentStreams, long maxHeaderListSize, int initialWindowSize, int maxFrameSize,
                          int maxRapidResets, Duration rapidResetPeriod, int maxEmptyFrames) {

    public static Http2Limits defaults(int maxHeaderSize) {
        return new Http2Limits(100, maxHeaderSize, 65_535, 16_384, 50, Duration.ofSeconds(10), 10);
    }

    static Http2Limits read(ConfigNode node, int maxHeaderSize) {
        Http2Limits d = defaults(maxHeaderSize);
        Http2Limits l = new Http2Limits(
                node.integer("max-concurrent-streams", (int) d.maxConcurrentStreams(), 1, 100_000),
                node.integer("max-header-list-size", (int) d.maxHeaderListSize(), 1024, 1024 * 1024),
                // RFC 9113 section 6.5.2: at most 2^31-1; below 1024 a client crawls
                node.integer("initial-window-size", d.initialWindowSize(), 1024, Integer.MAX_VALUE),
                // RFC 9113 section 6.5.2: between 2^14 and 2^24-1
                node.integer("max-frame-size", d.maxFrameSize(), 16_384, 16_777_215),
                node.integer("max-rapid-resets", d.maxRapidResets(), 1, 100_000),
                node.duration("rapid-reset-period", d.rapidResetPeriod()),
                node.integer("max-empty-frames", d.maxEmptyFrames(), 1, 100_000));
        if (l.rapidResetPeriod().isZero()) {
            throw node.error("rapid-reset-period", "must be greater than 0");
        }
        node.rejectUnknownKeys();
        return l;
    }
}
