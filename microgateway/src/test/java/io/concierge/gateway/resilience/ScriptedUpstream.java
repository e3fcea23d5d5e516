package io.concierge.gateway.resilience;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.helidon.webserver.WebServer;

/**
 * A real upstream whose behaviour a test switches at run time: answer 200, answer a status, or hold
 * requests until the test releases them. It counts requests and the most that were in flight.
 */
final class ScriptedUpstream implements AutoCloseable {
    enum Mode { OK, STATUS, HOLD }

    final String name;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger healthRequests = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
    final AtomicInteger status = new AtomicInteger(503);
    final AtomicInteger healthStatus = new AtomicInteger(200);
    private volatile CountDownLatch hold = new CountDownLatch(1);
    private final WebServer server;
    private final int port;

    ScriptedUpstream(String name) {
        this.name = name;
        this.server = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.get("/health", (req, res) -> {
                    healthRequests.incrementAndGet();
                    res.status(healthStatus.get()).send("health");
                }).any((req, res) -> {
                    requests.incrementAndGet();
                    int now = inFlight.incrementAndGet();
                    maxInFlight.accumulateAndGet(now, Math::max);
                    try {
                        req.content().consume();
                        switch (mode.get()) {
                            case OK -> res.header("X-Served-By", name).send(name);
                            case STATUS -> res.status(status.get()).header("X-Served-By", name).send("failing");
                            case HOLD -> {
                                hold.await(30, TimeUnit.SECONDS);
                                res.header("X-Served-By", name).send(name + " late");
                            }
                        }
                    } finally {
                        inFlight.decrementAndGet();
                    }
                }))
                .build().start();
        // Kept: a stopped server no longer reports its port, and tests point gateways at dead instances.
        this.port = server.port();
    }

    int port() {
        return port;
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    void ok() {
        mode.set(Mode.OK);
    }

    void fail(int code) {
        status.set(code);
        mode.set(Mode.STATUS);
    }

    void hold() {
        hold = new CountDownLatch(1);
        mode.set(Mode.HOLD);
    }

    void release() {
        hold.countDown();
    }

    void stop() {
        release();
        if (server.isRunning()) {
            server.stop();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
