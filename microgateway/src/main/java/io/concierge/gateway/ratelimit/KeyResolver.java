package io.concierge.gateway.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Identity;
import io.concierge.gateway.ratelimit.RateLimitConfig.KeyPart;
import io.concierge.gateway.ratelimit.RateLimitConfig.UsagePlans;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/**
 * Which counter a request counts on: the usage-plan tier (if the limit has plans) and the key built
 * from the configured parts ({@code client-ip}, {@code consumer}, {@code route},
 * {@code header:<Name>}). Header names are resolved once, here, not per request.
 */
final class KeyResolver {
    /** Keys longer than this are hashed, so a flood of huge header values cannot grow memory. */
    static final int MAX_PLAIN_KEY = 128;

    private final KeyPart.Kind[] kinds;
    /** The header of each {@code header:} part, null for the other kinds (same index as kinds). */
    private final HeaderName[] headerNames;
    private final UsagePlans plans;

    KeyResolver(RateLimitConfig config) {
        List<KeyPart> parts = config.key();
        this.kinds = parts.stream().map(KeyPart::kind).toArray(KeyPart.Kind[]::new);
        this.headerNames = parts.stream()
                .map(p -> p.kind() == KeyPart.Kind.HEADER ? HeaderNames.create(p.header()) : null)
                .toArray(HeaderName[]::new);
        this.plans = config.plans();
    }

    /** The usage-plan tier of the request's consumer; null when the limit has no plans. */
    String tier(Exchange ex) {
        return plans == null ? null : plans.tierName(consumer(ex.attribute(Identity.class)));
    }

    /**
     * The key of this request: the configured parts joined; a consumer-keyed limit counts an
     * unauthenticated request by client IP, a header-keyed one counts a request without the header
     * by client IP (the prefixes keep the spaces apart). The tier, if any, comes first, so tiers
     * never share a counter.
     */
    String key(Exchange ex, String tier) {
        StringBuilder sb = new StringBuilder(48);
        if (tier != null) {
            sb.append(tier).append('\u001f');
        }
        for (int i = 0; i < kinds.length; i++) {
            if (i > 0) {
                sb.append('\u001f');
            }
            switch (kinds[i]) {
                case CLIENT_IP -> sb.append("ip=").append(ex.clientIp());
                case ROUTE -> sb.append("r=").append(ex.routeId() == null ? "edge" : ex.routeId());
                case CONSUMER -> {
                    String c = consumer(ex.attribute(Identity.class));
                    if (c == null) {
                        sb.append("ip=").append(ex.clientIp());
                    } else {
                        sb.append("c=").append(c);
                    }
                }
                case HEADER -> {
                    String v = ex.request().headers().first(headerNames[i]).orElse(null);
                    if (v == null) {
                        sb.append("ip=").append(ex.clientIp());
                    } else {
                        sb.append("h=").append(v);
                    }
                }
            }
        }
        return bounded(sb.toString());
    }

    /** A key as stored: itself when short, else {@code #} and its SHA-256. */
    static String bounded(String key) {
        return key.length() > MAX_PLAIN_KEY ? "#" + sha256(key) : key;
    }

    /** The consumer a limit counts: the identity's consumer, else its subject, else none. */
    static String consumer(Identity id) {
        if (id == null) {
            return null;
        }
        return id.consumer() != null ? id.consumer() : id.subject();
    }

    private static String sha256(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return Base64.getUrlEncoder().withoutPadding().encodeToString(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
