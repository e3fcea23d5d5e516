package io.concierge.gateway.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * Appends this hop to {@code X-Forwarded-For/-Proto/-Host}, {@code Forwarded} (RFC 7239) and
 * {@code Via}. Appending (never replacing) keeps the whole chain visible to the upstream; which
 * entries to believe is the trusted-proxy rule's job, not the forwarder's.
 */
final class ForwardedHeaders {
    static final HeaderName X_FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");
    static final HeaderName X_FORWARDED_PROTO = HeaderNames.create("X-Forwarded-Proto");
    static final HeaderName X_FORWARDED_HOST = HeaderNames.create("X-Forwarded-Host");
    static final HeaderName FORWARDED = HeaderNames.create("Forwarded");

    private ForwardedHeaders() {
    }

    /**
     * @param changes the pipeline's header changes, or null; a forwarding header it removes (the
     *                edge does, for a client that is not a trusted proxy) starts afresh at this hop
     */
    static void append(RequestHeadWriter head, ServerRequest req, ViaEntries via, UpstreamHeaders changes)
            throws UnsafeRequestHeadException {
        String ip = clientIp(req.remotePeer().address());
        String proto = req.isSecure() ? "https" : "http";
        String host = clientHost(req);
        line(head, "X-Forwarded-For", join(existing(req, X_FORWARDED_FOR, changes), ip));
        line(head, "X-Forwarded-Proto", join(existing(req, X_FORWARDED_PROTO, changes), proto));
        if (host != null) {
            line(head, "X-Forwarded-Host", join(existing(req, X_FORWARDED_HOST, changes), host));
        }
        StringBuilder fwd = new StringBuilder(64).append("for=").append(forwardedNode(ip)).append(";proto=")
                .append(proto);
        if (host != null) {
            fwd.append(";host=").append(quoted(host));
        }
        line(head, "Forwarded", join(existing(req, FORWARDED, changes), fwd.toString()));
        String version = req.prologue().protocolVersion();
        line(head, "Via", join(HeaderValuesOf.joined(req.headers(), HeaderNames.VIA), via.of(version)));
    }

    /**
     * The host the client asked for: {@code Host} over HTTP/1.x; over HTTP/2 the {@code :authority}
     * pseudo-header (RFC 9113 §8.3.1), which Helidon keeps apart from the headers, and an explicit
     * {@code host} field only when the client sent no authority.
     */
    static String clientHost(ServerRequest req) {
        if (req.prologue().protocolVersion().startsWith("2")) {
            String authority = req.authority();
            if (authority != null && !authority.isEmpty()) {
                return authority;
            }
        }
        return req.headers().first(HeaderNames.HOST).orElse(null);
    }

    /** The client's values of a forwarding header joined, or null when absent or removed by the pipeline. */
    private static String existing(ServerRequest req, HeaderName name, UpstreamHeaders changes) {
        return changes != null && changes.isRemoved(name.lowerCase()) ? null
                : HeaderValuesOf.joined(req.headers(), name);
    }

    static String clientIp(SocketAddress address) {
        if (address instanceof InetSocketAddress isa) {
            InetAddress a = isa.getAddress();
            return a != null ? a.getHostAddress() : isa.getHostString();
        }
        return "unknown";
    }

    private static String forwardedNode(String ip) {
        // RFC 7239 section 6: IPv6 addresses are bracketed and the whole value quoted.
        return ip.indexOf(':') >= 0 ? "\"[" + ip + "]\"" : ip;
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** @param existing the values so far, joined ({@link HeaderValuesOf#joined}), or null for none */
    private static String join(String existing, String added) {
        return existing == null ? added : existing + ", " + added;
    }

    private static void line(RequestHeadWriter head, String name, String value) throws UnsafeRequestHeadException {
        head.header(name, value);
    }
}
