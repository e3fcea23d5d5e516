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

/**
 * The channels of one gRPC service, one per instance (each an HTTP/2 connection that multiplexes
 * every call to that instance), built at startup and closed with the gateway. Calls are spread
 * round-robin; {@link #next} after a failure moves on to another instance.
 */
public final class GrpcChannels implements AutoCloseable {
    /** One instance's channel, with its address for spans and errors. */
    public record Instance(String host, int port, ManagedChannel channel) {
    }

    private final String service;
    private final List<Instance> instances;
    private final AtomicInteger next = new AtomicInteger();

    public GrpcChannels(String service, List<InstanceConfig> instances, GrpcServiceConfig config) {
        this.service = service;
        ChannelCredentials credentials = credentials(service, config);
        List<Instance> list = new ArrayList<>();
        for (InstanceConfig i : instances) {
            // Connections are opened lazily, on the first call: a gRPC service that is down at startup
            // must not stop the gateway (calls answer 503 until it is up).
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(i.host(), i.port(), credentials)
                    .userAgent("concierge")
                    .build();
            list.add(new Instance(i.host(), i.port(), channel));
        }
        this.instances = List.copyOf(list);
    }

    private static ChannelCredentials credentials(String service, GrpcServiceConfig config) {
        if (!config.tls()) {
            return InsecureChannelCredentials.create();
        }
        if (config.caFile() == null) {
            return TlsChannelCredentials.create();
        }
        try {
            return TlsChannelCredentials.newBuilder().trustManager(config.caFile().toFile()).build();
        } catch (IOException e) {
            throw new IllegalStateException("service '" + service + "': cannot read tls.ca-file " + config.caFile()
                    + ": " + e.getMessage(), e);
        }
    }

    public String service() {
        return service;
    }

    /** The instance for a call's first try (round-robin). */
    Instance pick() {
        return instances.get(Math.floorMod(next.getAndIncrement(), instances.size()));
    }

    /** Another instance than {@code tried} for a retry, or the same when there is only one. */
    Instance after(Instance tried) {
        int i = instances.indexOf(tried);
        return instances.get((i + 1) % instances.size());
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
