package io.concierge.gateway.resilience;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import io.concierge.gateway.balancing.Upstream;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.helidon.faulttolerance.Bulkhead;

/**
 * The resilience state of one service, built once at startup: retry policy and budget, a breaker
 * per instance, passive outlier ejection, optional active health checks and the service bulkhead.
 */
public final class ServiceResilience implements AutoCloseable {
    private final ResilienceConfig config;
    private final UpstreamGroup group;
    private final LongSupplier clock;
    private final RetryBudget budget;
    private final OutlierDetector outliers;
    private final ActiveHealthChecker healthChecker;
    private final Bulkhead bulkhead;
    private final Map<Upstream, InstanceBreaker> breakers = new ConcurrentHashMap<>();
    private final LongAdder retries = new LongAdder();
    private final LongAdder bulkheadRejections = new LongAdder();
    private final LongAdder fallbacks = new LongAdder();

    public ServiceResilience(ResilienceConfig config, UpstreamGroup group) {
        this(config, group, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()}; a fixed one lets breakers be driven step by step */
    public ServiceResilience(ResilienceConfig config, UpstreamGroup group, LongSupplier clock) {
        this.config = config;
        this.group = group;
        this.clock = clock;
        this.budget = new RetryBudget(config.retry().budgetRatio(), config.retry().budgetMinPerSecond(), clock);
        this.outliers = new OutlierDetector(config.outlier(), clock);
        this.healthChecker = config.healthCheck() == null ? null
                : new ActiveHealthChecker(group.name(), config.healthCheck(), group::instances);
        this.bulkhead = config.bulkhead() == null ? null
                : Bulkhead.create(b -> b.name(group.name()).limit(config.bulkhead().maxConcurrent())
                .queueLength(config.bulkhead().queue()));
    }

    public ResilienceConfig config() {
        return config;
    }

    /** The service's bulkhead, or null when the config has none. */
    public Bulkhead bulkhead() {
        return bulkhead;
    }

    public RetryBudget budget() {
        return budget;
    }

    public InstanceBreaker breaker(Upstream u) {
        return breakers.computeIfAbsent(u, k -> new InstanceBreaker(config.breaker(), clock));
    }

    /** Healthy by active checks and not ejected; the breaker is asked separately. */
    public boolean isHealthy(Upstream u) {
        return !outliers.isEjected(u) && (healthChecker == null || healthChecker.isHealthy(u));
    }

    /** Whether an active health check runs and currently reports the instance down. */
    public boolean failsHealthCheck(Upstream u) {
        return healthChecker != null && !healthChecker.isHealthy(u);
    }

    /** The active health check's interval in nanoseconds, 0 without one. */
    public long healthCheckIntervalNanos() {
        return config.healthCheck() == null ? 0 : config.healthCheck().interval().toNanos();
    }

    /** Records one try's outcome on the instance's breaker and outlier state. */
    public void record(Upstream u, boolean success) {
        breaker(u).record(success);
        outliers.record(u, success, group.instances().size());
    }

    public void countRetry() {
        retries.increment();
    }

    /** Retries made so far (each try after the first). */
    public long retries() {
        return retries.sum();
    }

    /** Ejections so far, each of one instance. */
    public long ejections() {
        return outliers.ejections();
    }

    /** Instances of the group ejected right now. */
    public int ejectedNow() {
        int n = 0;
        for (Upstream u : group.instances()) {
            if (outliers.isEjected(u)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Forgets the state of instances that left the group. Where discovery changes the instances
     * (the edge), state keyed by a departed instance would otherwise stay for the process's life.
     */
    public void forgetDeparted() {
        Set<Upstream> live = new HashSet<>(group.instances());
        breakers.keySet().retainAll(live);
        outliers.retain(live);
    }

    public void countBulkheadRejection() {
        bulkheadRejections.increment();
    }

    public void countFallback() {
        fallbacks.increment();
    }

    /** State for health output and, later, metrics. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("retries", retries.sum());
        d.put("retryBudgetExhausted", budget.exhausted());
        d.put("bulkheadRejections", bulkheadRejections.sum());
        d.put("fallbacks", fallbacks.sum());
        d.put("ejections", outliers.ejections());
        List<Map<String, Object>> instances = new ArrayList<>();
        for (Upstream u : group.instances()) {
            Map<String, Object> i = new LinkedHashMap<>();
            i.put("address", u.authority());
            i.put("breaker", breaker(u).state().name());
            i.put("ejected", outliers.isEjected(u));
            i.put("healthy", healthChecker == null || healthChecker.isHealthy(u));
            instances.add(i);
        }
        d.put("instances", instances);
        return d;
    }

    @Override
    public void close() {
        if (healthChecker != null) {
            healthChecker.close();
        }
    }
}
