package io.concierge.gateway.proxy;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.helidon.http.Method;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.resilience.ResilienceConfig;

/**
 * Tries a request again when its failure scope allows, it may be replayed, and attempts, the
 * service's {@link RetryBudget} and the deadline leave room; waits a full-jitter exponential backoff
 * between tries.
 *
 * <p>What is retried: at a gateway ({@link ResilienceConfig.FailureScope#UPSTREAM}) every failed try
 * and an upstream's 502/503/504; at the edge ({@link ResilienceConfig.FailureScope#CONNECTION}) only a
 * failure before any response byte (never a timeout, never an answer: the gateway behind has retried
 * for its service already). Which requests: the policy's methods, or POST/PATCH with an
 * {@code Idempotency-Key} when opted in; a body only when it is small enough to keep for replay.
 */
final class RetryWithBudget implements UpstreamCall {
    private final ServiceResilience rz;
    private final UpstreamCall next;

    /** @param rz a service whose retry policy allows more than one attempt */
    RetryWithBudget(ServiceResilience rz, UpstreamCall next) {
        this.rz = rz;
        this.next = next;
    }

    @Override
    public ExchangeOutcome call(UpstreamRequest request) {
        ResilienceConfig.Retry policy = rz.config().retry();
        rz.budget().onRequest();
        boolean eligible = eligible(request, policy);
        request.retryEligible(eligible);
        boolean connectionScope = rz.config().failures() == ResilienceConfig.FailureScope.CONNECTION;
        int attemptsLeft = policy.attempts();
        int retries = 0;
        while (true) {
            ExchangeOutcome outcome = next.call(request);
            if (!retriable(outcome, connectionScope) || !eligible || request.nanosLeft() <= 0) {
                return outcome;
            }
            if (--attemptsLeft <= 0 || !rz.budget().tryRetry()) {
                return outcome;
            }
            rz.countRetry();
            if (outcome instanceof ExchangeOutcome.Responded responded) {
                responded.response().discard();
            }
            retries++;
            if (!backoff(policy, retries, request)) {
                return new ExchangeOutcome.DeadlineExceeded();
            }
        }
    }

    /** Which outcomes the scope retries at all (before asking attempts, budget and deadline). */
    static boolean retriable(ExchangeOutcome outcome, boolean connectionScope) {
        return switch (outcome) {
            case ExchangeOutcome.Responded r -> !connectionScope && (r.status() == 502 || r.status() == 503
                    || r.status() == 504);
            // The stale pooled connection's instance refused a new one: the request may have reached it.
            case ExchangeOutcome.ConnectFailed c -> c.afterStaleConnection();
            case ExchangeOutcome.FailedBeforeResponse f -> true;
            case ExchangeOutcome.ProtocolError p -> !(connectionScope && p.responseBegan());
            // After a response byte or a timeout the gateway may be working on it: the edge does not retry.
            case ExchangeOutcome.FailedAfterResponse f -> !connectionScope;
            case ExchangeOutcome.TimedOut t -> !connectionScope;
            default -> false;
        };
    }

    /** Decides once, before the first try, whether this request may ever be sent again; may keep its body. */
    private static boolean eligible(UpstreamRequest request, ResilienceConfig.Retry policy) {
        if (policy.attempts() <= 1) {
            return false;
        }
        Method method = request.method();
        boolean methodOk = policy.methods().contains(method.text())
                || policy.idempotentPost() && (method == Method.POST || method == Method.PATCH)
                && request.hasIdempotencyKey();
        return methodOk && request.keepBodyForReplay(policy.maxReplayBody());
    }

    /** Full-jitter exponential backoff within the deadline; false when the deadline leaves no room. */
    private static boolean backoff(ResilienceConfig.Retry policy, int retry, UpstreamRequest request) {
        long ceiling = Math.min(policy.backoffMax().toNanos(),
                policy.backoffBase().toNanos() << Math.min(20, retry - 1));
        long pause = ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
        if (pause >= request.nanosLeft()) {
            return false;
        }
        if (pause > 0) {
            try {
                Thread.sleep(Duration.ofNanos(pause));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
