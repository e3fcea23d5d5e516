package io.concierge.gateway.security;

import io.concierge.gateway.config.IpRanges;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Step;

/** Allow and deny lists on the client address (after the trusted-proxy rule); deny wins. */
final class IpListStep implements Step {
    private final IpRanges allow;
    private final IpRanges deny;
    private final Rejections rejections;

    IpListStep(IpRanges allow, IpRanges deny, Rejections rejections) {
        this.allow = allow;
        this.deny = deny;
        this.rejections = rejections;
    }

    @Override
    public void handle(Exchange exchange, Chain next) {
        String ip = exchange.clientIp();
        byte[] address = IpRanges.literal(ip);
        boolean denied = address == null ? !allow.isEmpty() : deny.contains(address)
                || !allow.isEmpty() && !allow.contains(address);
        if (denied) {
            rejections.refuse(exchange, Rejection.IP_DENIED, "client " + ip, null);
            return;
        }
        next.proceed(exchange);
    }
}
