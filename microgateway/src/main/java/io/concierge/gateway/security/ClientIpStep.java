package io.concierge.gateway.security;

import java.util.ArrayList;
import java.util.List;

import io.concierge.gateway.config.IpRanges;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.proxy.StrippedHeaderNames;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/**
 * The trusted-proxy rule: {@code X-Forwarded-For} is believed only when the socket peer is a
 * trusted proxy, and then only up to the first address (from the right) that is not itself a
 * trusted proxy: everything left of it was written by the client and could be anything.
 *
 * <p>At the edge (the trust boundary, {@code sanitize}) the forwarding headers of a request from an
 * untrusted peer are also dropped before the request goes on, so the gateways behind it, which
 * trust the edge, never see a chain the client made up.
 */
final class ClientIpStep implements Step {
    static final HeaderName X_FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");
    private static final int MAX_HOPS = 32;
    private static final StrippedHeaderNames FORWARDING = StrippedHeaderNames.of(List.of("X-Forwarded-For",
            "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded"));

    private final IpRanges trusted;
    private final boolean sanitize;

    ClientIpStep(IpRanges trusted, boolean sanitize) {
        this.trusted = trusted;
        this.sanitize = sanitize;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        String peer = exchange.clientIp();
        if (!trusted.contains(peer)) {
            if (sanitize) {
                exchange.upstreamHeaders().remove(FORWARDING);
            }
            next.proceed(exchange);
            return;
        }
        exchange.clientIp(resolve(peer, exchange.request().headers().values(X_FORWARDED_FOR), trusted));
        next.proceed(exchange);
    }

    /** @return the client address the chain vouches for (see the class comment) */
    static String resolve(String peer, List<String> forwardedFor, IpRanges trusted) {
        if (forwardedFor.isEmpty()) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String v : forwardedFor) {
            for (String part : v.split(",")) {
                hops.add(part.trim());
            }
        }
        String client = peer;
        int stop = Math.max(0, hops.size() - MAX_HOPS);
        for (int i = hops.size() - 1; i >= stop; i--) {
            String hop = hops.get(i);
            if (IpRanges.literal(hop) == null) {
                // Garbage in the chain: believe nothing left of it; the last proxy that vouched is the client.
                return client;
            }
            client = hop.startsWith("[") ? hop.substring(1, hop.length() - 1) : hop;
            if (!trusted.contains(hop)) {
                return client;
            }
        }
        return client;
    }
}
