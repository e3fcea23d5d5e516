package io.concierge.gateway.proxy;

import java.util.List;

import io.concierge.gateway.balancing.Upstream;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.resilience.InstanceBreaker;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.resilience.ResilienceConfig;

/**
 * Chooses the instance for one try and records how the try went. Skipped: instances this request
 * tried already (while others remain), refused, failed their health checks or were ejected (unless
 * all did: panic mode tries them anyway), or whose circuit breaker is open. In panic mode an
 * instance whose breaker is open or half-open and whose active health check fails is skipped as
 * well, for up to {@link #HEALTH_GATED_OPEN_PERIODS} open periods: the health check, not a client
 * request, tells when it is worth a half-open probe. A refused connection
 * sent nothing, so the next instance is tried at once, and this is not a retry. Outcomes count
 * against the instance's breaker and outlier state by the failure scope: at a gateway every failed
 * try and every 5xx; at the edge only a refused connection (a gateway's 5xx is its service's answer).
 */
final class BreakerAndBalancer implements UpstreamCall {
    /**
     * Open periods (of {@code open-for}) for which a failing health check holds back a client
     * half-open probe in panic mode; after them one client request probes anyway.
     */
    static final int HEALTH_GATED_OPEN_PERIODS = 6;
    private final ServiceResilience rz;
    private final boolean connectionScope;
    private final InstanceExchange exchange;

    /** @param rz the service's breakers and health, or null to balance only (refusals still skipped) */
    BreakerAndBalancer(ServiceResilience rz, InstanceExchange exchange) {
        this.rz = rz;
        this.connectionScope = rz != null && rz.config().failures() == ResilienceConfig.FailureScope.CONNECTION;
        this.exchange = exchange;
    }

    @Override
    public ExchangeOutcome call(UpstreamRequest request) {
        UpstreamGroup group = request.call().group();
        TriedInstances tried = request.tried();
        while (true) {
            List<Upstream> instances = group.instances();
            Upstream upstream = group.balancer().choose(instances, tried.excluded());
            if (upstream == null) {
                if (tried.enterPanic(instances.size())) {
                    continue;
                }
                return tried.breakerWait() != Long.MAX_VALUE && tried.lastConnectFailure() == null
                        ? new ExchangeOutcome.BreakersOpen(tried.breakerWait())
                        : new ExchangeOutcome.NoInstance(tried.lastConnectFailure());
            }
            if (rz != null) {
                if (!tried.panic() && !rz.isHealthy(upstream)) {
                    tried.unhealthy(upstream);
                    continue;
                }
                if (rz.config().breaker().enabled()) {
                    InstanceBreaker breaker = rz.breaker(upstream);
                    if (tried.panic() && breaker.state() != InstanceBreaker.State.CLOSED
                            && rz.failsHealthCheck(upstream)
                            && breaker.nanosSinceOpened() < HEALTH_GATED_OPEN_PERIODS * breaker.openForNanos()) {
                        // Its breaker is open and its health check fails too: no client request
                        // becomes the half-open probe, which against a blackholed instance waits
                        // the whole read timeout (bench/chaos.sh, docs/reliability.md); the health
                        // check, a short probe nobody waits on, says when to try again. Bounded,
                        // so that a health check that is wrong (a broken /health on a working
                        // service) delays a recovery by a few open periods instead of forever.
                        tried.breakerOpen(upstream, Math.max(breaker.nanosUntilProbe(), rz.healthCheckIntervalNanos()));
                        continue;
                    }
                    if (!breaker.tryAcquire()) {
                        tried.breakerOpen(upstream, breaker.nanosUntilProbe());
                        continue;
                    }
                }
            }
            ExchangeOutcome outcome;
            boolean recorded = false;
            try {
                outcome = exchange.exchange(request, upstream);
                Boolean success = verdict(outcome, connectionScope);
                if (rz != null && success != null) {
                    rz.record(upstream, success);
                    recorded = true;
                }
            } finally {
                if (rz != null && !recorded) {
                    // A half-open probe slot whose try gave no verdict (or threw) goes back.
                    rz.breaker(upstream).release();
                }
            }
            if (outcome instanceof ExchangeOutcome.ConnectFailed refused && !refused.afterStaleConnection()) {
                tried.refused(upstream, refused.error());
                continue;
            }
            if (!(outcome instanceof ExchangeOutcome.DeadlineExceeded)) {
                tried.tried(upstream, instances.size());
            }
            return outcome;
        }
    }

    /**
     * Whether the try counts for (true) or against (false) the instance, or not at all (null).
     * A refused connection counts against it in both scopes; an answer only at a gateway.
     */
    static Boolean verdict(ExchangeOutcome outcome, boolean connectionScope) {
        return switch (outcome) {
            case ExchangeOutcome.ConnectFailed c -> Boolean.FALSE;
            case ExchangeOutcome.Responded r -> connectionScope ? null : r.status() < 500;
            case ExchangeOutcome.FailedBeforeResponse f -> connectionScope ? null : Boolean.FALSE;
            case ExchangeOutcome.FailedAfterResponse f -> connectionScope ? null : Boolean.FALSE;
            case ExchangeOutcome.TimedOut t -> connectionScope ? null : Boolean.FALSE;
            case ExchangeOutcome.ProtocolError p -> connectionScope ? null : Boolean.FALSE;
            default -> null;
        };
    }
}
