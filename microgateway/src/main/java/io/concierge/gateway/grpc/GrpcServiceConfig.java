package io.concierge.gateway.grpc;

import java.nio.file.Path;

import io.concierge.gateway.config.ConfigNode;

/**
 * The {@code grpc} section of a service: the service speaks gRPC (HTTP/2) instead of HTTP/1.1.
 *
 * @param descriptorsFile the {@code descriptors} value as written (a {@code FileDescriptorSet}, relative
 *                        to the gateway.yaml's directory)
 * @param descriptors     the set, read and linked at load
 * @param tls             {@code tls.enabled}: TLS to the instances (default false: plaintext h2c)
 * @param caFile          {@code tls.ca-file}: PEM trust anchors, or null for the JVM's default trust
 */
public record GrpcServiceConfig(String descriptorsFile, DescriptorSet descriptors, boolean tls, Path caFile) {

    public static GrpcServiceConfig read(ConfigNode node) {
        String file = node.requiredString("descriptors");
        Path path = relativeToConfig(node.file(), file);
        DescriptorSet set;
        try {
            set = DescriptorSet.read(path);
        } catch (IllegalArgumentException e) {
            throw node.error("descriptors", e.getMessage());
        }
        ConfigNode tls = node.object("tls");
        boolean enabled = tls.bool("enabled", false);
        String ca = tls.string("ca-file", null);
        tls.rejectUnknownKeys();
        node.rejectUnknownKeys();
        return new GrpcServiceConfig(file, set, enabled, ca == null ? null : relativeToConfig(node.file(), ca));
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
