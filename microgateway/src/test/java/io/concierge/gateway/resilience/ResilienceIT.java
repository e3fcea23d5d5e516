package io.concierge.gateway.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.WireClient;

/**
 * Resilience against real upstreams the test controls. Synchronised with latches and polling;
 * assertions are on counts and statuses, never on elapsed time.
 */
class ResilienceIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void cleanup() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private ScriptedUpstream upstream(String name) {
        ScriptedUpstream u = new ScriptedUpstream(name);
        closeables.add(u);
        return u;
    }

    private GatewayServer gateway(String serviceYaml, String routeExtra, ScriptedUpstream... instances) {
        StringBuilder urls = new StringBuilder();
        for (ScriptedUpstream u : instances) {
            urls.append("      - url: ").append(u.url()).append('\n');
        }
        String yaml = "domain: test\nprefixes: [/api]\n"
                + "services:\n  svc:\n" + serviceYaml + "    instances:\n" + urls
                + "routes:\n  - id: all\n    match: {path: /api/**}\n    service: svc\n" + routeExtra;
        GatewayServer g = GatewayServer.start(GatewayConfig.parse("test.yaml", yaml, k -> null),
                new StaticDiscovery(List.of()));
        closeables.add(g);
        return g;
    }

    private HttpResponse<String> send(GatewayServer g, String method, String path, String idempotencyKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{\"x\":1}"));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(GatewayServer g) {
        return send(g, "GET", "/api/x", null);
    }

    @Test
    void killingOneOfTwoInstancesUnderLoadCostsClientsNothing() throws Exception {
        ScriptedUpstream a = upstream("a");
        ScriptedUpstream b = upstream("b");
        GatewayServer g = gateway("    resilience: {retry: {attempts: 3, budget: {percent: 100}}}\n", "", a, b);
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch halfway = new CountDownLatch(200);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            clients.add(pool.submit(() -> {
                for (int i = 0; i < 150; i++) {
                    HttpResponse<String> r = get(g);
                    sent.incrementAndGet();
                    if (r.statusCode() != 200) {
                        failures.incrementAndGet();
                    }
                    halfway.countDown();
                }
            }));
        }
        assertTrue(halfway.await(60, TimeUnit.SECONDS));
        a.stop();
        for (Future<?> f : clients) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(600, sent.get());
        assertEquals(0, failures.get(), "client-visible failures after killing one instance");
        assertTrue(a.requests.get() > 0 && b.requests.get() > 0);
    }

    @Test
    void aSlowInstanceTimesOutPerTryAndTheRetryGoesElsewhere() {
        ScriptedUpstream slow = upstream("slow");
        ScriptedUpstream fast = upstream("fast");
        slow.hold();
        GatewayServer g = gateway("    timeouts: {read: 300ms}\n    resilience: {retry: {attempts: 2, budget: {percent: 100}}}\n",
                "", slow, fast);
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = get(g);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("fast", r.body());
        }
        assertTrue(slow.requests.get() >= 1, "round-robin must have tried the slow instance");
    }

    @Test
    void theOverallDeadlineCutsRetriesShort() {
        ScriptedUpstream slow = upstream("slow");
        slow.hold();
        GatewayServer g = gateway("    timeouts: {read: 300ms}\n"
                        + "    resilience: {deadline: 700ms, retry: {attempts: 10, backoff-base: 1ms, backoff-max: 1ms,"
                        + " budget: {percent: 100}}, circuit-breaker: {enabled: false}}\n",
                "", slow);
        HttpResponse<String> r = get(g);
        assertEquals(504, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        // Ten attempts were allowed, but 300 ms tries inside a 700 ms deadline leave room for three.
        assertTrue(slow.requests.get() <= 3, "tries: " + slow.requests.get());
    }

    @Test
    void anAlways503InstanceOpensItsBreakerAndTrafficStops() {
        ScriptedUpstream bad = upstream("bad");
        bad.fail(503);
        GatewayServer g = gateway("    resilience:\n      retry: {attempts: 1}\n"
                + "      circuit-breaker: {window: 10, minimum-calls: 5, failure-rate: 50, open-for: 1h}\n"
                + "      outlier-ejection: {consecutive-failures: 1000}\n", "", bad);
        for (int i = 0; i < 5; i++) {
            assertEquals(503, get(g).statusCode());
        }
        int seen = bad.requests.get();
        assertEquals(5, seen);
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = get(g);
            assertEquals(503, r.statusCode());
            assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
            assertTrue(Integer.parseInt(r.headers().firstValue("Retry-After").orElse("0")) >= 1);
        }
        assertEquals(seen, bad.requests.get(), "an open breaker must keep traffic off the instance");
    }

    @Test
    void anOpenBreakerRecoversThroughHalfOpen() {
        ScriptedUpstream flaky = upstream("flaky");
        flaky.fail(503);
        GatewayServer g = gateway("    resilience:\n      retry: {attempts: 1}\n"
                + "      circuit-breaker: {window: 4, minimum-calls: 4, failure-rate: 50, open-for: 200ms, half-open-probes: 1}\n"
                + "      outlier-ejection: {consecutive-failures: 1000}\n", "", flaky);
        for (int i = 0; i < 4; i++) {
            get(g);
        }
        int whileOpen = flaky.requests.get();
        flaky.ok();
        Poll.until("the breaker closes again", WAIT, () -> get(g).statusCode() == 200);
        // Only probes reached the instance while it was open or half-open, one at a time.
        for (int i = 0; i < 10; i++) {
            assertEquals(200, get(g).statusCode());
        }
        assertTrue(flaky.requests.get() >= whileOpen + 11);
    }

    private String adminHealth(GatewayServer g) {
        try {
            return WireClient.exchange(g.adminPort(), "GET", "/health").bodyText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * bench/chaos.sh's blackhole finding: with the only instance failing its health check (panic
     * mode), an open breaker's half-open probe used to be a client request, which against a
     * blackholed instance waits the whole read timeout. Now the failing health check holds the
     * probe back (for a bounded number of open periods), and recovery starts when it passes.
     */
    @Test
    void aFailingHealthCheckHoldsBackTheHalfOpenProbeInPanicMode() {
        ScriptedUpstream sick = upstream("sick");
        sick.fail(503);
        sick.healthStatus.set(503);
        GatewayServer g = gateway("    resilience:\n      retry: {attempts: 1}\n"
                + "      circuit-breaker: {window: 4, minimum-calls: 4, failure-rate: 50, open-for: 1s, half-open-probes: 1}\n"
                + "      outlier-ejection: {consecutive-failures: 1000}\n"
                + "      health-check: {path: /health, interval: 50ms, timeout: 500ms, healthy-threshold: 1,"
                + " unhealthy-threshold: 2}\n", "", sick);
        Poll.until("the health check reports the only instance down", WAIT,
                () -> adminHealth(g).contains("\"healthy\":false"));
        for (int i = 0; i < 4; i++) {
            assertEquals(503, get(g).statusCode()); // panic mode: tried although unhealthy
        }
        int seen = sick.requests.get();
        assertEquals(4, seen);
        Poll.until("the breaker's open period to end", WAIT, () -> adminHealth(g).contains("\"breaker\":\"HALF_OPEN\""));
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = get(g);
            assertEquals(503, r.statusCode());
            assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
            assertTrue(Integer.parseInt(r.headers().firstValue("Retry-After").orElse("0")) >= 1);
        }
        assertEquals(seen, sick.requests.get(), "no client request may probe an instance its health check reports down");
        sick.ok();
        sick.healthStatus.set(200);
        Poll.until("recovery once the health check passes", WAIT, () -> get(g).statusCode() == 200);
        for (int i = 0; i < 5; i++) {
            assertEquals(200, get(g).statusCode());
        }
    }

    /** The hold-back is bounded: a wrong health check (a broken /health) must not keep a breaker open forever. */
    @Test
    void theHealthCheckHoldsBackTheProbeOnlyForAFewOpenPeriods() {
        ScriptedUpstream flaky = upstream("flaky");
        flaky.fail(503);
        flaky.healthStatus.set(503); // stays wrong for the whole test
        GatewayServer g = gateway("    resilience:\n      retry: {attempts: 1}\n"
                + "      circuit-breaker: {window: 4, minimum-calls: 4, failure-rate: 50, open-for: 50ms, half-open-probes: 1}\n"
                + "      outlier-ejection: {consecutive-failures: 1000}\n"
                + "      health-check: {path: /health, interval: 50ms, timeout: 500ms, healthy-threshold: 1,"
                + " unhealthy-threshold: 2}\n", "", flaky);
        Poll.until("the health check reports the only instance down", WAIT,
                () -> adminHealth(g).contains("\"healthy\":false"));
        for (int i = 0; i < 4; i++) {
            get(g);
        }
        flaky.ok(); // the service works; only its /health is wrong
        Poll.until("a client probe after the held-back periods closes the breaker", WAIT,
                () -> get(g).statusCode() == 200);
        assertEquals(200, get(g).statusCode());
    }

    @Test
    void underTotalFailureTheRetryBudgetBoundsUpstreamLoad() {
        ScriptedUpstream down = upstream("down");
        down.fail(503);
        GatewayServer g = gateway("    resilience:\n"
                + "      retry: {attempts: 3, backoff-base: 1ms, backoff-max: 1ms, budget: {percent: 20, min-per-second: 0}}\n"
                + "      circuit-breaker: {enabled: false}\n"
                + "      outlier-ejection: {consecutive-failures: 1000}\n", "", down);
        int clientRequests = 200;
        for (int i = 0; i < clientRequests; i++) {
            assertEquals(503, get(g).statusCode());
        }
        int upstreamRequests = down.requests.get();
        assertTrue(upstreamRequests > clientRequests, "some retries must have happened: " + upstreamRequests);
        assertTrue(upstreamRequests <= clientRequests * 1.2 + 1, "upstream saw " + upstreamRequests);
    }

    @Test
    void bulkheadOverflowIsAFast503AndInFlightStaysWithinTheLimit() throws Exception {
        ScriptedUpstream held = upstream("held");
        held.hold();
        GatewayServer g = gateway("    resilience: {bulkhead: {max-concurrent: 2, queue: 0}, retry: {attempts: 1}}\n", "", held);
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            inFlight.add(CompletableFuture.supplyAsync(() -> get(g)));
        }
        Poll.until("two requests held at the upstream", WAIT, () -> held.inFlight.get() == 2);
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = get(g);
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.body().contains("concurrency limit"), r.body());
        }
        held.release();
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            assertEquals(200, f.get(20, TimeUnit.SECONDS).statusCode());
        }
        assertEquals(2, held.maxInFlight.get());
    }

    @Test
    void aPostIsNeverRetriedOnceSent() {
        ScriptedUpstream a = upstream("a");
        ScriptedUpstream b = upstream("b");
        a.fail(503);
        b.fail(503);
        GatewayServer g = gateway("    resilience: {retry: {attempts: 5, budget: {percent: 100}},"
                + " circuit-breaker: {enabled: false}}\n", "", a, b);
        HttpResponse<String> r = send(g, "POST", "/api/orders", null);
        assertEquals(503, r.statusCode());
        assertEquals(1, a.requests.get() + b.requests.get(), "a sent POST must not be retried");
        // With the opt-in and an Idempotency-Key it is.
        GatewayServer optIn = gateway("    resilience: {retry: {attempts: 3, idempotent-post: true,"
                + " budget: {percent: 100}}, circuit-breaker: {enabled: false}}\n", "", a, b);
        int before = a.requests.get() + b.requests.get();
        send(optIn, "POST", "/api/orders", "key-1");
        assertEquals(before + 3, a.requests.get() + b.requests.get());
    }

    @Test
    void aPostGoesToAnotherInstanceWhenTheFirstRefusesTheConnection() {
        ScriptedUpstream gone = upstream("gone");
        ScriptedUpstream alive = upstream("alive");
        gone.stop();
        GatewayServer g = gateway("", "", gone, alive);
        for (int i = 0; i < 4; i++) {
            assertEquals(200, send(g, "POST", "/api/orders", null).statusCode());
        }
        assertEquals(4, alive.requests.get());
    }

    @Test
    void consecutiveFailuresEjectAnInstanceButNeverMoreThanTheShare() {
        ScriptedUpstream bad = upstream("bad");
        ScriptedUpstream good = upstream("good");
        bad.fail(500);
        GatewayServer g = gateway("    resilience:\n      retry: {attempts: 1}\n"
                + "      circuit-breaker: {enabled: false}\n"
                + "      outlier-ejection: {consecutive-failures: 3, base-ejection: 1h, max-ejected-percent: 50}\n",
                "", bad, good);
        for (int i = 0; i < 6; i++) {
            get(g);
        }
        assertEquals(3, bad.requests.get());
        for (int i = 0; i < 20; i++) {
            assertEquals(200, get(g).statusCode());
        }
        assertEquals(3, bad.requests.get(), "an ejected instance gets no traffic");
        // The good one fails too now: ejecting it as well would exceed 50 %, so it keeps serving.
        good.fail(500);
        for (int i = 0; i < 6; i++) {
            get(g);
        }
        assertTrue(good.requests.get() >= 26);
    }

    @Test
    void activeHealthChecksTakeAnUnhealthyInstanceOutOfRotation() {
        ScriptedUpstream sick = upstream("sick");
        ScriptedUpstream well = upstream("well");
        sick.healthStatus.set(503);
        GatewayServer g = gateway("    resilience:\n      health-check: {path: /health, interval: 50ms, timeout: 500ms,"
                + " healthy-threshold: 1, unhealthy-threshold: 2}\n", "", sick, well);
        Poll.until("two failed probes of the sick instance", WAIT, () -> sick.healthRequests.get() >= 3);
        int before = sick.requests.get();
        for (int i = 0; i < 10; i++) {
            assertEquals("well", get(g).body());
        }
        assertEquals(before, sick.requests.get());
        sick.healthStatus.set(200);
        Poll.until("the sick instance is back in rotation", WAIT, () -> {
            get(g);
            return sick.requests.get() > before;
        });
    }

    @Test
    void aRouteFallbackAnswersWhenEveryInstanceIsDown() {
        ScriptedUpstream gone = upstream("gone");
        gone.stop();
        GatewayServer g = gateway("", "    resilience:\n      fallback: {status: 200, body: '{\"items\":[]}'}\n", gone);
        HttpResponse<String> r = get(g);
        assertEquals(200, r.statusCode());
        assertEquals("{\"items\":[]}", r.body());
        assertEquals("static", r.headers().firstValue("Concierge-Fallback").orElse(""));
    }

    @Test
    void aReplayableBodyCutShortIsA400NotA500() throws Exception {
        ScriptedUpstream up = upstream("up");
        GatewayServer g = gateway("    resilience: {retry: {attempts: 3}}\n", "", up);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", g.port())) {
            s.setSoTimeout(10_000);
            // A PUT is retryable, so its small body is read up front for replay; here it never completes.
            s.getOutputStream().write(("PUT /api/x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
            String response = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 400"), response);
            assertTrue(response.contains("application/problem+json"), response);
        }
        assertEquals(0, up.requests.get(), "an incomplete body never reaches the upstream");
    }
}
