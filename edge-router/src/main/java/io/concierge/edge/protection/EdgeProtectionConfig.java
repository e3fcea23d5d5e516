package io.concierge.edge.protection;

import io.concierge.gateway.config.ByteSizes;
import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.config.IpRanges;

/**
 * The edge's {@code protection} section: who the client is (trusted proxies), who may come in (IP
 * lists), CORS, security response headers, the edge-wide body limit and TLS. Documented key by key
 * in docs/security.md.
 *
 * @param trustedProxies  peers whose X-Forwarded-For is believed (default none)
 * @param ipAllow         when non-empty only these clients are served
 * @param ipDeny          these clients are refused (403)
 * @param cors            null: no CORS headers at all (browsers then refuse cross-origin reads)
 * @param headers         security response headers (default {@link SecurityHeadersConfig#DEFAULT})
 * @param maxBodySize     edge-wide request body limit in bytes, -1 for none (default none; routes have their own)
 * @param tls             null: plain HTTP only
 */
public record EdgeProtectionConfig(IpRanges trustedProxies, IpRanges ipAllow, IpRanges ipDeny, CorsConfig cors,
                                   SecurityHeadersConfig headers, long maxBodySize, TlsConfig tls) {
    public static final EdgeProtectionConfig NONE = new EdgeProtectionConfig(IpRanges.NONE, IpRanges.NONE, IpRanges.NONE,
            null, SecurityHeadersConfig.DEFAULT, -1, null);

    public static EdgeProtectionConfig read(ConfigNode node) {
        IpRanges proxies = IpRanges.read(node, "trusted-proxies");
        ConfigNode ip = node.object("ip");
        IpRanges allow = IpRanges.read(ip, "allow");
        IpRanges deny = IpRanges.read(ip, "deny");
        ip.rejectUnknownKeys();
        CorsConfig cors = node.has("cors") ? CorsConfig.read(node.object("cors")) : null;
        SecurityHeadersConfig headers = SecurityHeadersConfig.read(node.object("headers"));
        long maxBody = ByteSizes.read(node, "max-body-size", 0, Long.MAX_VALUE / 2);
        TlsConfig tls = node.has("tls") ? TlsConfig.read(node.object("tls")) : null;
        node.rejectUnknownKeys();
        return new EdgeProtectionConfig(proxies, allow, deny, cors, headers, maxBody, tls);
    }
}
