package io.concierge.gateway.grpc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.config.InstanceConfig;

/**
 * The {@code grpc} section of a service: the service speaks gRPC (HTTP/2) instead of HTTP/1.1.
 *
 * @param descriptorsFile the {@code descriptors} value as written: a {@code FileDescriptorSet} file, relative
 *                        to the gateway.yaml's directory, or {@code reflection} (the instances' gRPC server
 *                        reflection, asked at load within {@code reflection-timeout}, default 5s)
 * @param descriptors     the set, read (or fetched) and linked at load
 * @param tls             {@code tls.enabled}: TLS to the instances (default false: plaintext h2c)
 * @param caFile          {@code tls.ca-file}: PEM trust anchors, or null for the JVM's default trust
 */
public record GrpcServiceConfig(String descriptorsFile, DescriptorSet descriptors, boolean tls, Path caFile) {

    /**
     * @param service   the service's name, for errors
     * @param instances the service's instances: with {@code descriptors: reflection} they are asked, in
     *                  order, for their descriptors now (at load)
     */
    public static GrpcServiceConfig read(ConfigNode node, String service, List<InstanceConfig> instances) {
        String file = node.requiredString("descriptors");
        ConfigNode tls = node.object("tls");
        boolean enabled = tls.bool("enabled", false);
        String ca = tls.string("ca-file", null);
        tls.rejectUnknownKeys();
        Path caFile = ca == null ? null : relativeToConfig(node.file(), ca);
        boolean reflection = ReflectionDescriptors.KEYWORD.equals(file);
        if (!reflection && node.has("reflection-timeout")) {
            throw node.error("reflection-timeout", "applies only with descriptors: reflection");
        }
        Duration timeout = node.duration("reflection-timeout", ReflectionDescriptors.DEFAULT_TIMEOUT);
        if (timeout.isZero() || timeout.isNegative()) {
            throw node.error("reflection-timeout", "must be > 0 (was " + timeout + ")");
        }
        node.rejectUnknownKeys();
        DescriptorSet set;
        try {
            set = reflection
                    ? ReflectionDescriptors.fetch(service, instances,
                            GrpcChannels.credentials(service, enabled, caFile), timeout)
                    : DescriptorSet.read(relativeToConfig(node.file(), file));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw node.error("descriptors", e.getMessage());
        }
        return new GrpcServiceConfig(file, set, enabled, caFile);
    }

    /** A relative path names a file beside the gateway.yaml, so a domain's directory is self-contained. */
    static Path relativeToConfig(String configFile, String file) {
        Path p = Path.of(file);
        if (p.isAbsolute()) {
            return p;
        }
        Path dir = Path.of(configFile).toAbsolutePath().getParent();
        return dir == null ? p : dir.resolve(p);
    }
}
