package io.concierge.gateway.resilience;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.concierge.gateway.balancing.Upstream;

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
    private final HttpClient client;
    private final ScheduledExecutorService scheduler;

    ActiveHealthChecker(String service, ResilienceConfig.HealthCheck config, Supplier<List<Upstream>> instances) {
        this.config = config;
        this.instances = instances;
        this.client = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
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

    private boolean probe(Upstream u) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + u.authority() + config.path()))
                    .timeout(config.timeout()).GET().build();
            int status = client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status >= 200 && status < 300;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
