package io.concierge.gateway.config;

import java.time.Duration;

/**
 * The {@code shutdown} section of {@code gateway.yaml}: what a gateway does on SIGTERM.
 *
 * @param drain       after deregistering, how long the gateway keeps serving while the edge (which
 *                    learns of the deregistration through its discovery watch) and a Kubernetes Service
 *                    (through {@code /health/ready}) stop sending it traffic (default 0s: stop at once)
 * @param gracePeriod Helidon's shutdown grace period: how long requests still in flight when the
 *                    listeners close may run before they are cut (default 5s; Helidon's own is 500ms)
 */
public record ShutdownConfig(Duration drain, Duration gracePeriod) {
    public static final ShutdownConfig DEFAULT = new ShutdownConfig(Duration.ZERO, Duration.ofSeconds(5));
    /** Beyond this a stop is a hang: Kubernetes' own default grace is 30s. */
    private static final Duration MAX = Duration.ofMinutes(5);

    /** Reads {@code node} (the {@code shutdown} object, possibly absent). */
    public static ShutdownConfig read(ConfigNode node) {
        Duration drain = node.duration("drain", DEFAULT.drain());
        Duration grace = node.duration("grace-period", DEFAULT.gracePeriod());
        if (drain.isNegative() || drain.compareTo(MAX) > 0) {
            throw node.error("drain", "must be between 0s and 5m (was " + drain.toMillis() + "ms)");
        }
        if (grace.isNegative() || grace.compareTo(MAX) > 0) {
            throw node.error("grace-period", "must be between 0s and 5m (was " + grace.toMillis() + "ms)");
        }
        node.rejectUnknownKeys();
        return new ShutdownConfig(drain, grace);
    }
}
