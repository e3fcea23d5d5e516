package io.concierge.gateway.server;

import java.time.Duration;
import java.util.function.Supplier;

import io.concierge.gateway.admin.AdminEndpoints;
import io.concierge.gateway.config.ListenConfig;
import io.concierge.gateway.config.ServerLimits;
import io.concierge.gateway.config.ShutdownConfig;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.telemetry.FeatureMetrics;
import io.concierge.gateway.telemetry.Telemetry;
import io.concierge.gateway.telemetry.Tracing;
import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;

/**
 * How the edge and every gateway put their server together, so the two differ only in what is
 * their own (the gateway's routes and registration, the edge's dispatch and TLS): the public
 * listener running the server's chain, the admin listener with {@code /health},
 * {@code /health/live}, {@code /health/ready}, {@code /metrics} and {@code /admin}, the metrics every server exports,
 * and the cleanup when a server fails to start.
 */
public final class ServerAssembly {
    /** The admin listener's socket name. */
    public static final String ADMIN = "admin";

    private ServerAssembly() {
    }

    /**
     * The public listener on {@code listen} with the protocol limits and the admin listener on
     * {@code admin}; the caller may add sockets (the edge's TLS) before {@link #start}.
     */
    public static WebServerConfig.Builder listeners(ListenConfig listen, ListenConfig admin, ServerLimits limits,
                                                    ClientTimeouts timeouts, Handler chain, HealthReport health,
                                                    AdminEndpoints endpoints) {
        return listeners(listen, admin, limits, timeouts, chain, health, endpoints, Readiness.readyOnStart(),
                ShutdownConfig.DEFAULT.gracePeriod());
    }

    /**
     * As above, with the server's {@code /health/ready} state and Helidon's shutdown grace period for
     * both listeners (requests in flight when the listeners close may finish within it).
     */
    public static WebServerConfig.Builder listeners(ListenConfig listen, ListenConfig admin, ServerLimits limits,
                                                    ClientTimeouts timeouts, Handler chain, HealthReport health,
                                                    AdminEndpoints endpoints, Readiness readiness,
                                                    Duration gracePeriod) {
        return listeners(listen, null, admin, limits, timeouts, chain, health, endpoints, readiness, gracePeriod);
    }

    /**
     * As above, with the public listener speaking TLS when {@code tls} is given (a gateway's
     * {@code listen.tls}: HTTP/1.1, and HTTP/2 by ALPN); the admin listener stays plain.
     */
    public static WebServerConfig.Builder listeners(ListenConfig listen, Tls tls, ListenConfig admin,
                                                    ServerLimits limits, ClientTimeouts timeouts, Handler chain,
                                                    HealthReport health, AdminEndpoints endpoints, Readiness readiness,
                                                    Duration gracePeriod) {
        WebServerConfig.Builder b = WebServer.builder()
                .host(listen.host())
                .port(listen.port())
                .shutdownGracePeriod(gracePeriod)
                .routing(r -> publicRouting(r, chain))
                .putSocket(ADMIN, s -> Listeners.applyAdmin(s.host(admin.host()).port(admin.port())
                        .shutdownGracePeriod(gracePeriod)
                        .routing(r -> {
                            r.get("/health", (req, res) -> health.send(res));
                            r.get("/health/live", (req, res) -> HealthReport.sendLive(res));
                            r.get("/health/ready", (req, res) -> readiness.send(res));
                            endpoints.register(r);
                        })));
        if (tls != null) {
            b.tls(tls);
            Listeners.applyTlsLimits(b, limits, timeouts);
            b.shutdownHook(false);
        } else {
            Listeners.applyLimits(b, limits, listen.h2c(), timeouts);
        }
        return b;
    }

    /** A public listener's routing: the framing checks, then the server's chain. */
    public static void publicRouting(HttpRouting.Builder routing, Handler chain) {
        routing.addFilter(ConnectionFraming.FILTER).any(chain);
    }

    /**
     * Starts the server; when it fails, runs {@code release} (what was built for the server:
     * health checkers, JWKS refreshes, cluster handles), since nothing else would, and rethrows.
     */
    public static WebServer start(WebServerConfig.Builder builder, Runnable release) {
        try {
            return builder.build().start();
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }

    /** Builds a server; when that fails and the server was to own {@code tracing}, closes it, and rethrows. */
    public static <S> S build(Tracing tracing, boolean ownsTracing, Supplier<S> server) {
        try {
            return server.get();
        } catch (RuntimeException e) {
            if (ownsTracing) {
                tracing.close();
            }
            throw e;
        }
    }

    /** The metrics every server exports: its rate limits, its security counters and its discovery. */
    public static void commonMetrics(Telemetry telemetry, ServerRuntime runtime, Discovery discovery) {
        commonMetrics(telemetry, () -> runtime, discovery);
    }

    /** The same, read from whichever runtime {@code runtime} supplies at scrape time (it changes on reload). */
    public static void commonMetrics(Telemetry telemetry, Supplier<ServerRuntime> runtime, Discovery discovery) {
        telemetry.addMetrics(FeatureMetrics.rateLimits(() -> runtime.get().rateLimitHealth()));
        telemetry.addMetrics(FeatureMetrics.security(() -> runtime.get().securityStats(),
                () -> runtime.get().clientTimeouts().headsCut(), () -> runtime.get().clientTimeouts().readsCut()));
        telemetry.addMetrics(FeatureMetrics.discovery(discovery));
    }
}
