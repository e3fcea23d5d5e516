package io.concierge.gateway.proxy;

import io.helidon.webserver.http.ServerResponse;

/**
 * The layer that answers the client: relays the upstream's response, or replaces an upstream's
 * 502/503/504 by the route's fallback, or lets {@link UpstreamFailures} answer a failure. It sits
 * inside the bulkhead, so a streaming body holds its slot until the last byte, as a concurrency
 * limit around the whole exchange should.
 */
public final class ResponseRelay implements UpstreamCall {
    private final UpstreamCall next;

    public ResponseRelay(UpstreamCall next) {
        this.next = next;
    }

    @Override
    public ExchangeOutcome call(UpstreamRequest request) {
        ExchangeOutcome outcome = next.call(request);
        ProxyCall call = request.call();
        ServerResponse res = request.response();
        if (!(outcome instanceof ExchangeOutcome.Responded responded)) {
            UpstreamFailures.answer(res, call, outcome);
            return ExchangeOutcome.ANSWERED;
        }
        UpstreamResponse response = responded.response();
        int status = response.status();
        if ((status == 502 || status == 503 || status == 504) && call.fallback() != null) {
            response.discard();
            UpstreamFailures.fallbackFor(res, call, status);
            return ExchangeOutcome.ANSWERED;
        }
        response.relay(res, request.method(), call.requestId());
        return ExchangeOutcome.ANSWERED;
    }
}
