package io.concierge.gateway.resilience;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.concierge.gateway.balancing.Upstream;
import io.concierge.gateway.pool.UpstreamConnection;

/**
 * Probes each instance of a service with {@code GET <path>} every interval; an instance turns
 * unhealthy after {@code unhealthyThreshold} consecutive failures and healthy again after
 * {@code healthyThreshold} consecutive successes. Instances start healthy so a restart of the
 * gateway does not black-hole traffic until the first probe round.
 */
final class ActiveHealthChecker implements AutoCloseable {
    private final ResilienceConfig.HealthCheck config;
    private final Supplier<List<Upstream>> instances;
    private final Map<Upstream, int[]> streaks = new ConcurrentHashMap<>();
    private final Map<Upstream, Boolean> healthy = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;

    ActiveHealthChecker(String service, ResilienceConfig.HealthCheck config, Supplier<List<Upstream>> instances) {
        this.config = config;
        this.instances = instances;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "health-check-" + service);
            t.setDaemon(true);
            return t;
        });
        long ms = config.interval().toMillis();
        scheduler.scheduleWithFixedDelay(this::probeAll, ms, ms, TimeUnit.MILLISECONDS);
    }

    boolean isHealthy(Upstream u) {
        return healthy.getOrDefault(u, Boolean.TRUE);
    }

    private void probeAll() {
        for (Upstream u : instances.get()) {
            boolean ok = probe(u);
            int[] s = streaks.computeIfAbsent(u, k -> new int[2]);
            if (ok) {
                s[0]++;
                s[1] = 0;
                if (!isHealthy(u) && s[0] >= config.healthyThreshold()) {
                    healthy.put(u, Boolean.TRUE);
                }
            } else {
                s[1]++;
                s[0] = 0;
                if (isHealthy(u) && s[1] >= config.unhealthyThreshold()) {
                    healthy.put(u, Boolean.FALSE);
                }
            }
        }
    }

    /**
     * One GET on a fresh connection of the instance's own pool, so a TLS service is probed over TLS
     * with the same certificate checks and client certificate as its requests.
     */
    private boolean probe(Upstream u) {
        try (UpstreamConnection c = u.pool().open(config.timeout())) {
            c.readTimeout(config.timeout());
            byte[] head = ("GET " + config.path() + " HTTP/1.1\r\nHost: " + u.authority()
                    + "\r\nUser-Agent: concierge-health-check\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            c.out().write(head);
            c.out().flush();
            String statusLine = c.in().readLine(8192);
            return statusLine != null && statusLine.startsWith("HTTP/1.") && statusLine.length() >= 12
                    && statusLine.charAt(8) == ' ' && statusLine.charAt(9) == '2'
                    && Character.isDigit(statusLine.charAt(10)) && Character.isDigit(statusLine.charAt(11));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
