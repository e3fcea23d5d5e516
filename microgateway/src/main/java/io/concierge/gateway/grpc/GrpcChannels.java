package io.concierge.gateway.grpc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;

import io.concierge.gateway.config.InstanceConfig;
import io.concierge.gateway.resilience.InstanceBreaker;
import io.concierge.gateway.resilience.ResilienceConfig;

/**
 * The channels of one gRPC service, one per instance (each an HTTP/2 connection that multiplexes
 * every call to that instance), built at startup and closed with the gateway. Calls are spread
 * round-robin over the instances whose circuit breaker admits a call.
 */
public final class GrpcChannels implements AutoCloseable {
    /** One instance's channel, with its address for spans and errors and its circuit breaker. */
    public record Instance(String host, int port, ManagedChannel channel, InstanceBreaker breaker) {
    }

    private final String service;
    private final List<Instance> instances;
    private final AtomicInteger next = new AtomicInteger();

    /** @param breaker the service's {@code resilience.circuit-breaker}, one breaker per instance */
    public GrpcChannels(String service, List<InstanceConfig> instances, GrpcServiceConfig config,
                        ResilienceConfig.Breaker breaker) {
        this.service = service;
        ChannelCredentials credentials = credentials(service, config.tls(), config.caFile());
        List<Instance> list = new ArrayList<>();
        for (InstanceConfig i : instances) {
            // Connections are opened lazily, on the first call: a gRPC service that is down at startup
            // must not stop the gateway (calls answer 503 until it is up).
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(i.host(), i.port(), credentials)
                    .userAgent("concierge")
                    .build();
            list.add(new Instance(i.host(), i.port(), channel, new InstanceBreaker(breaker, System::nanoTime)));
        }
        this.instances = List.copyOf(list);
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

    public String service() {
        return service;
    }

    /**
     * The instance for a call's first try: round-robin, skipping instances whose breaker is open;
     * null when every breaker is open. The caller records the outcome on the instance's breaker.
     */
    Instance acquire() {
        return acquireFrom(Math.floorMod(next.getAndIncrement(), instances.size()), instances.size());
    }

    /** An instance other than {@code tried} for a retry (breakers respected), or null. */
    Instance acquireAfter(Instance tried) {
        if (instances.size() == 1) {
            return tried.breaker().tryAcquire() ? tried : null;
        }
        return acquireFrom(instances.indexOf(tried) + 1, instances.size() - 1);
    }

    private Instance acquireFrom(int start, int count) {
        for (int k = 0; k < count; k++) {
            Instance i = instances.get((start + k) % instances.size());
            if (i.breaker().tryAcquire()) {
                return i;
            }
        }
        return null;
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
