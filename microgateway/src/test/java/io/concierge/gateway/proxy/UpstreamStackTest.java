package io.concierge.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

import io.concierge.gateway.balancing.LoadBalancer;
import io.concierge.gateway.balancing.Upstream;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import io.concierge.gateway.pool.UpstreamProtocolException;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.resilience.ResilienceConfig;
import io.concierge.gateway.resilience.InstanceBreaker;

/**
 * The resilience layers of the upstream stack, driven without a socket: a scripted
 * {@link InstanceExchange} answers each try, so each layer's decisions show in the tries it makes.
 */
class UpstreamStackTest {
    /** The first instance not excluded, in list order: which instance a try goes to is predictable. */
    private static final LoadBalancer FIRST_FREE = (candidates, excluded) -> {
        for (Upstream u : candidates) {
            if (!excluded.contains(u)) {
                return u;
            }
        }
        return null;
    };

    private final AtomicLong now = new AtomicLong();
    private final UpstreamGroup group = new UpstreamGroup("svc", FIRST_FREE, Duration.ofSeconds(1),
            Duration.ofSeconds(1), 4, Duration.ofSeconds(30), List.of(new UpstreamGroup.Endpoint("127.0.0.1", 1, 1),
            new UpstreamGroup.Endpoint("127.0.0.1", 2, 1)));
    private final Upstream a = group.instances().get(0);
    private final Upstream b = group.instances().get(1);
    private final List<Upstream> tries = new ArrayList<>();
    private final List<ServiceResilience> built = new ArrayList<>();

    @AfterEach
    void close() {
        built.forEach(ServiceResilience::close);
        group.close();
    }

    @Test
    void retryStopsWhenTheBudgetIsSpent() {
        // No share of traffic, one retry per second of reserve, a clock that stands still: one retry in all.
        ServiceResilience rz = resilience(retry(5, 0.0, 1), breakerOff(), ResilienceConfig.FailureScope.UPSTREAM);
        UpstreamCall stack = stack(rz, script((r, u) -> new ExchangeOutcome.FailedBeforeResponse(new IOException("reset"))));

        assertInstanceOf(ExchangeOutcome.FailedBeforeResponse.class, stack.call(get(rz)));
        assertEquals(List.of(a, b), tries, "the first try and one retry, on the other instance");
        tries.clear();
        assertInstanceOf(ExchangeOutcome.FailedBeforeResponse.class, stack.call(get(rz)));
        assertEquals(List.of(a), tries, "the budget is spent: no retry");
        assertEquals(1, rz.retries());
        assertEquals(2L, rz.describe().get("retryBudgetExhausted"), "both refusals by the budget are counted");
    }

    @Test
    void retryStopsAtTheAttemptLimitAndRetriesAnUpstreamsBadGateway() {
        ServiceResilience rz = resilience(retry(3, 1.0, 100), breakerOff(), ResilienceConfig.FailureScope.UPSTREAM);
        List<FakeResponse> answers = new ArrayList<>();
        UpstreamCall stack = stack(rz, script((r, u) -> {
            FakeResponse f = new FakeResponse(u, 503);
            answers.add(f);
            return new ExchangeOutcome.Responded(f);
        }));

        ExchangeOutcome last = stack.call(get(rz));
        assertEquals(List.of(a, b, a), tries, "three attempts: the tried instance is skipped while another is left");
        assertEquals(503, ((ExchangeOutcome.Responded) last).status());
        assertTrue(answers.get(0).discarded && answers.get(1).discarded, "retried answers are dropped");
        assertFalse(answers.get(2).discarded, "the last answer is handed up to be relayed");
        assertEquals(2, rz.retries());
    }

    @Test
    void aPostWithoutIdempotencyKeyIsNeverRetried() {
        ServiceResilience rz = resilience(retry(3, 1.0, 100), breakerOff(), ResilienceConfig.FailureScope.UPSTREAM);
        UpstreamCall stack = stack(rz, script((r, u) -> new ExchangeOutcome.FailedBeforeResponse(new IOException("reset"))));

        stack.call(new UpstreamRequest(call(rz), Method.POST, false));
        assertEquals(List.of(a), tries);
        tries.clear();
        stack.call(new UpstreamRequest(call(rz), Method.DELETE, false));
        assertEquals(List.of(a, b, a), tries, "DELETE is idempotent");
    }

    @Test
    void theDeadlineCutsRetriesShort() {
        ServiceResilience rz = resilience(retry(5, 1.0, 100), breakerOff(), ResilienceConfig.FailureScope.UPSTREAM);
        UpstreamCall stack = stack(rz, Duration.ofMillis(20), script((r, u) -> {
            // An upstream that takes the whole budget to fail.
            long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (r.nanosLeft() > 0 && System.nanoTime() < giveUp) {
                Thread.onSpinWait();
            }
            return new ExchangeOutcome.TimedOut(new SocketTimeoutException("read timed out"));
        }));

        ExchangeOutcome outcome = stack.call(new UpstreamRequest(call(rz), Method.GET, false));
        assertInstanceOf(ExchangeOutcome.TimedOut.class, outcome);
        assertEquals(List.of(a), tries, "no retry once the deadline has passed");
        assertEquals(0, rz.retries());
    }

    @Test
    void theExchangeStartsNoTryOnceTheDeadlineHasPassed() {
        ServiceResilience rz = resilience(retry(1, 1.0, 100), breakerOff(), ResilienceConfig.FailureScope.UPSTREAM);
        List<String> started = new ArrayList<>();
        UpstreamObserver observer = new UpstreamObserver() {
            @Override
            public Attempt start(String service, String method, String host, int port, String target) {
                started.add(host + ":" + port);
                return Attempt.NONE;
            }

            @Override
            public boolean replacesTraceHeaders() {
                return false;
            }
        };
        UpstreamRequest request = new UpstreamRequest(call(rz), Method.GET, false);
        request.startDeadline(Duration.ZERO);

        ExchangeOutcome outcome = new UpstreamExchange("test", observer).exchange(request, a);
        assertInstanceOf(ExchangeOutcome.DeadlineExceeded.class, outcome);
        assertEquals(List.of(), started, "no connection taken, no span started");
        assertEquals(0, a.inFlight());
    }

    @Test
    void aFullBulkheadRejectsAtOnceAndCounts() throws Exception {
        ResilienceConfig d = ResilienceConfig.defaults();
        ResilienceConfig config = new ResilienceConfig(Duration.ofSeconds(30), retry(1, 1.0, 100), breakerOff(),
                new ResilienceConfig.Bulkhead(1, 0), d.outlier(), null, ResilienceConfig.FailureScope.UPSTREAM);
        ServiceResilience rz = track(new ServiceResilience(config, group, now::get));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        UpstreamCall stack = stack(rz, (r, u) -> {
            inside.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ExchangeOutcome.Responded(new FakeResponse(u, 200));
        });
        AtomicReference<ExchangeOutcome> first = new AtomicReference<>();
        Thread holder = new Thread(() -> first.set(stack.call(get(rz))));
        holder.start();
        try {
            assertTrue(inside.await(30, TimeUnit.SECONDS), "the first request holds the only slot");
            ExchangeOutcome second = stack.call(get(rz));
            assertInstanceOf(ExchangeOutcome.BulkheadFull.class, second);
            assertEquals(1L, rz.describe().get("bulkheadRejections"));
        } finally {
            release.countDown();
            holder.join(30_000);
        }
        assertInstanceOf(ExchangeOutcome.Responded.class, first.get());
        assertInstanceOf(ExchangeOutcome.Responded.class, stack.call(get(rz)), "the slot came back");
    }

    @Test
    void anOpenBreakerMakesTheBalancerSkipItsInstance() {
        ResilienceConfig.Breaker breaker = new ResilienceConfig.Breaker(true, 2, 2, 50, Duration.ofSeconds(10), 1);
        ServiceResilience rz = resilience(retry(1, 1.0, 100), breaker, ResilienceConfig.FailureScope.UPSTREAM);
        UpstreamCall stack = stack(rz, script((r, u) -> new ExchangeOutcome.Responded(new FakeResponse(u, u == a ? 500 : 200))));

        stack.call(get(rz));
        stack.call(get(rz));
        assertEquals(List.of(a, a), tries);
        assertEquals(InstanceBreaker.State.OPEN, rz.breaker(a).state());
        tries.clear();
        for (int i = 0; i < 3; i++) {
            assertEquals(200, ((ExchangeOutcome.Responded) stack.call(get(rz))).status());
        }
        assertEquals(List.of(b, b, b), tries, "the open breaker's instance is skipped");
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        tries.clear();
        stack.call(get(rz));
        assertEquals(List.of(a), tries, "after open-for one probe goes to it");
    }

    @Test
    void whenEveryBreakerIsOpenTheAnswerSaysWhenToComeBack() {
        ResilienceConfig.Breaker breaker = new ResilienceConfig.Breaker(true, 1, 1, 100, Duration.ofSeconds(7), 1);
        ServiceResilience rz = resilience(retry(1, 1.0, 100), breaker, ResilienceConfig.FailureScope.UPSTREAM);
        UpstreamCall stack = stack(rz, script((r, u) -> new ExchangeOutcome.FailedBeforeResponse(new IOException("reset"))));
        stack.call(get(rz));
        stack.call(get(rz));
        tries.clear();

        ExchangeOutcome outcome = stack.call(get(rz));
        ExchangeOutcome.BreakersOpen open = assertInstanceOf(ExchangeOutcome.BreakersOpen.class, outcome);
        assertEquals(Duration.ofSeconds(7).toNanos(), open.nanosUntilProbe());
        assertEquals(List.of(), tries);
    }

    @Test
    void aRefusedConnectionGoesToTheNextInstanceWithoutARetry() {
        ServiceResilience rz = resilience(retry(1, 1.0, 100), breakerOff(), ResilienceConfig.FailureScope.UPSTREAM);
        UpstreamCall stack = stack(rz, script((r, u) -> u == a ? new ExchangeOutcome.ConnectFailed(new ConnectException("refused"), false)
                : new ExchangeOutcome.Responded(new FakeResponse(u, 200))));

        assertEquals(200, ((ExchangeOutcome.Responded) stack.call(get(rz))).status());
        assertEquals(List.of(a, b), tries);
        assertEquals(0, rz.retries(), "nothing was sent to the refusing instance: not a retry");
    }

    @Test
    void whenEveryInstanceRefusesTheLastRefusalIsReported() {
        UpstreamCall stack = stack(null, script((r, u) -> new ExchangeOutcome.ConnectFailed(new ConnectException("refused " + u.port()), false)));

        ExchangeOutcome outcome = stack.call(get(null));
        ExchangeOutcome.NoInstance none = assertInstanceOf(ExchangeOutcome.NoInstance.class, outcome);
        assertEquals("refused 2", none.lastConnectFailure().getMessage());
        assertEquals(List.of(a, b), tries);
    }

    @Test
    void withoutResiliencePoliciesNothingIsRetried() {
        UpstreamCall stack = stack(null, script((r, u) -> new ExchangeOutcome.FailedBeforeResponse(new IOException("reset"))));

        assertInstanceOf(ExchangeOutcome.FailedBeforeResponse.class, stack.call(get(null)));
        assertEquals(List.of(a), tries);
    }

    @Test
    void connectionScopeRetriesOnlyFailuresBeforeAnyResponseByte() {
        ResilienceConfig config = ResilienceConfig.gatewayInstances(Duration.ofSeconds(30), retry(3, 1.0, 100),
                ResilienceConfig.defaults().outlier());
        ServiceResilience rz = track(new ServiceResilience(config, group, now::get));
        AtomicReference<ExchangeOutcome> answer = new AtomicReference<>();
        UpstreamCall stack = stack(rz, script((r, u) -> answer.get()));

        answer.set(new ExchangeOutcome.FailedAfterResponse(new IOException("reset mid-head")));
        assertInstanceOf(ExchangeOutcome.FailedAfterResponse.class, stack.call(get(rz)));
        assertEquals(List.of(a), tries, "a response byte had arrived: never sent again");

        tries.clear();
        answer.set(new ExchangeOutcome.TimedOut(new SocketTimeoutException("read timed out")));
        stack.call(get(rz));
        assertEquals(List.of(a), tries, "a timeout is not retried at the edge");

        tries.clear();
        answer.set(new ExchangeOutcome.ProtocolError(new UpstreamProtocolException("bad head"), true));
        stack.call(get(rz));
        assertEquals(List.of(a), tries, "an invalid head is a response byte too");

        tries.clear();
        answer.set(new ExchangeOutcome.Responded(new FakeResponse(a, 503)));
        stack.call(get(rz));
        assertEquals(List.of(a), tries, "a gateway's 503 is its service's answer");

        tries.clear();
        answer.set(new ExchangeOutcome.FailedBeforeResponse(new IOException("reset")));
        stack.call(get(rz));
        assertEquals(List.of(a, b, a), tries, "nothing came back: retried on another instance");
        assertEquals(0, rz.ejections(), "a reset counts against no instance at the edge");
    }

    // ---- fixtures ----

    private UpstreamCall stack(ServiceResilience rz, InstanceExchange exchange) {
        return stack(rz, rz == null ? null : rz.config().deadline(), exchange);
    }

    /** The layers UpstreamStack builds for {@code rz}, without the relay, which needs a client connection. */
    private UpstreamCall stack(ServiceResilience rz, Duration deadline, InstanceExchange exchange) {
        UpstreamCall call = new BreakerAndBalancer(rz, exchange);
        if (rz == null) {
            return call;
        }
        if (rz.config().retry().attempts() > 1) {
            call = new RetryWithBudget(rz, call);
        }
        if (rz.bulkhead() != null) {
            call = new BulkheadLimit(rz, call);
        }
        return new RequestDeadline(deadline, call);
    }

    /** Records which instance each try went to. */
    private InstanceExchange script(BiFunction<UpstreamRequest, Upstream, ExchangeOutcome> answer) {
        return (request, instance) -> {
            tries.add(instance);
            return answer.apply(request, instance);
        };
    }

    private ServiceResilience resilience(ResilienceConfig.Retry retry, ResilienceConfig.Breaker breaker,
                                         ResilienceConfig.FailureScope scope) {
        ResilienceConfig d = ResilienceConfig.defaults();
        ResilienceConfig.Outlier noEjection = new ResilienceConfig.Outlier(1000, d.outlier().baseEjection(),
                d.outlier().maxEjection(), d.outlier().maxEjectedPercent());
        return track(new ServiceResilience(new ResilienceConfig(Duration.ofSeconds(30), retry, breaker, null,
                noEjection, null, scope), group, now::get));
    }

    private ServiceResilience track(ServiceResilience rz) {
        built.add(rz);
        return rz;
    }

    private static ResilienceConfig.Retry retry(int attempts, double ratio, int minPerSecond) {
        return new ResilienceConfig.Retry(attempts, Duration.ZERO, Duration.ZERO,
                ResilienceConfig.DEFAULT_RETRY_METHODS, false, 1024, ratio, minPerSecond);
    }

    private static ResilienceConfig.Breaker breakerOff() {
        ResilienceConfig.Breaker d = ResilienceConfig.defaults().breaker();
        return new ResilienceConfig.Breaker(false, d.window(), d.minimumCalls(), d.failureRate(), d.openFor(),
                d.halfOpenProbes());
    }

    private ProxyCall call(ServiceResilience rz) {
        return new ProxyCall(group, "/thing", Duration.ofSeconds(1), Duration.ofSeconds(1), "rid-1", null, rz, null);
    }

    private UpstreamRequest get(ServiceResilience rz) {
        return new UpstreamRequest(call(rz), Method.GET, false);
    }

    /** An answer whose body is never read: it only remembers being dropped. */
    private static final class FakeResponse implements UpstreamResponse {
        private final Upstream instance;
        private final int status;
        boolean discarded;

        FakeResponse(Upstream instance, int status) {
            this.instance = instance;
            this.status = status;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public Upstream instance() {
            return instance;
        }

        @Override
        public void discard() {
            discarded = true;
        }

        @Override
        public void relay(ServerResponse res, Method method, String requestId) {
            throw new UnsupportedOperationException("not relayed in these tests");
        }
    }
}
