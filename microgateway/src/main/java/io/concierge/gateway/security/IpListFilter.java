package io.concierge.gateway.security;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Filter;

/** Allow and deny lists on the client address (after the trusted-proxy rule); deny wins. */
final class IpListFilter implements Filter {
    private final IpRanges allow;
    private final IpRanges deny;
    private final Rejections rejections;

    IpListFilter(IpRanges allow, IpRanges deny, Rejections rejections) {
        this.allow = allow;
        this.deny = deny;
        this.rejections = rejections;
    }

    @Override
    public boolean apply(Exchange exchange) {
        String ip = exchange.clientIp();
        byte[] address = IpRanges.literal(ip);
        boolean denied = address == null ? !allow.isEmpty() : deny.contains(address)
                || !allow.isEmpty() && !allow.contains(address);
        if (denied) {
            rejections.refuse(exchange, Rejection.IP_DENIED, "client " + ip, null);
            return false;
        }
        return true;
    }
}
