package io.concierge.gateway.grpc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;

import io.concierge.gateway.balancing.LoadBalancer;
import io.concierge.gateway.balancing.Upstream;
import io.concierge.gateway.config.InstanceConfig;
import io.concierge.gateway.config.LoadBalancing;
import io.concierge.gateway.resilience.InstanceBreaker;
import io.concierge.gateway.resilience.ResilienceConfig;
import io.concierge.gateway.telemetry.MeteredService;

/**
 * The channels of one gRPC service, one per instance (each an HTTP/2 connection that multiplexes
 * every call to that instance), built at startup and closed with the gateway. Calls are spread by the
 * service's {@code load-balancing} (the HTTP side's balancers) over the instances whose circuit breaker
 * admits a call.
 */
public final class GrpcChannels implements AutoCloseable, MeteredService {
    /**
     * One instance's channel, with its address for spans and errors, its circuit breaker, and the
     * balancer's view of it ({@code upstream}: weight and calls in flight; it has no connection pool).
     */
    public record Instance(String host, int port, ManagedChannel channel, InstanceBreaker breaker, Upstream upstream) {
    }

    private final String service;
    private final List<Instance> instances;
    /** The balancer's candidates, index for index the same instances. */
    private final List<Upstream> upstreams;
    private final Map<Upstream, Instance> byUpstream;
    private final LoadBalancer balancer;
    /** Tries after the first, for {@code concierge_retries_total} and the admin /health. */
    private final LongAdder retries = new LongAdder();

    /**
     * @param balancing the service's {@code load-balancing}, the same balancers as for HTTP services
     * @param breaker   the service's {@code resilience.circuit-breaker}, one breaker per instance
     */
    public GrpcChannels(String service, List<InstanceConfig> instances, GrpcServiceConfig config,
                        LoadBalancing balancing, ResilienceConfig.Breaker breaker) {
        this.service = service;
        this.balancer = LoadBalancer.of(balancing);
        ChannelCredentials credentials = credentials(service, config.tls(), config.caFile());
        List<Instance> list = new ArrayList<>();
        for (InstanceConfig i : instances) {
            // Connections are opened lazily, on the first call: a gRPC service that is down at startup
            // must not stop the gateway (calls answer 503 until it is up).
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(i.host(), i.port(), credentials)
                    .userAgent("concierge")
                    .build();
            list.add(new Instance(i.host(), i.port(), channel, new InstanceBreaker(breaker, System::nanoTime),
                    new Upstream(i.host(), i.port(), i.weight(), null)));
        }
        this.instances = List.copyOf(list);
        this.upstreams = list.stream().map(Instance::upstream).toList();
        Map<Upstream, Instance> by = new IdentityHashMap<>();
        list.forEach(i -> by.put(i.upstream(), i));
        this.byUpstream = by;
    }

    /** The service's {@code tls} settings as gRPC credentials; also used for reflection at load. */
    static ChannelCredentials credentials(String service, boolean tls, java.nio.file.Path caFile) {
        if (!tls) {
            return InsecureChannelCredentials.create();
        }
        if (caFile == null) {
            return TlsChannelCredentials.create();
        }
        try {
            return TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build();
        } catch (IOException e) {
            throw new IllegalStateException("service '" + service + "': cannot read tls.ca-file " + caFile
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String service() {
        return service;
    }

    /**
     * The instance for a call's first try, chosen by the service's balancer among the instances whose
     * breaker admits a call; null when every breaker is open. The caller records the outcome on the
     * instance's breaker and counts the call in flight on its {@code upstream}.
     */
    Instance acquire() {
        Upstream u = balancer.choose(upstreams, Set.of());
        if (u == null) {
            return null;
        }
        Instance first = byUpstream.get(u);
        if (first.breaker().tryAcquire()) {
            return first; // the common case allocates nothing
        }
        Set<Upstream> excluded = new HashSet<>(4);
        excluded.add(u);
        return acquireExcluding(excluded);
    }

    /** An instance other than {@code tried} for a retry (breakers respected), or null. */
    Instance acquireAfter(Instance tried) {
        if (instances.size() == 1) {
            return tried.breaker().tryAcquire() ? tried : null;
        }
        Set<Upstream> excluded = new HashSet<>(4);
        excluded.add(tried.upstream());
        return acquireExcluding(excluded);
    }

    private Instance acquireExcluding(Set<Upstream> excluded) {
        // Each pass excludes one more instance, so this ends after at most size() choices.
        while (true) {
            Upstream u = balancer.choose(upstreams, excluded);
            if (u == null) {
                return null;
            }
            Instance i = byUpstream.get(u);
            if (i.breaker().tryAcquire()) {
                return i;
            }
            excluded.add(u);
        }
    }

    /** Every instance in configuration order, for /health and /metrics. */
    public List<Instance> instances() {
        return instances;
    }

    /** Counts one try after the first. */
    void retried() {
        retries.increment();
    }

    @Override
    public long retries() {
        return retries.sum();
    }

    @Override
    public List<Upstream> upstreams() {
        return upstreams;
    }

    @Override
    public InstanceBreaker breaker(Upstream upstream) {
        return byUpstream.get(upstream).breaker();
    }

    int size() {
        return instances.size();
    }

    @Override
    public void close() {
        for (Instance i : instances) {
            i.channel().shutdownNow();
        }
        for (Instance i : instances) {
            try {
                i.channel().awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
