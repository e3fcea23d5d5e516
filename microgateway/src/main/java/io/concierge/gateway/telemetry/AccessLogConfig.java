package io.concierge.gateway.telemetry;

import io.concierge.gateway.config.ConfigNode;

/**
 * The {@code access-log} section of {@code gateway.yaml} and {@code edge.yaml}.
 *
 * @param enabled one line per request on the {@value AccessLog#LOGGER} logger (default true)
 * @param format  {@code json} (default) or {@code combined}
 */
public record AccessLogConfig(boolean enabled, Format format) {
    public static final AccessLogConfig DEFAULT = new AccessLogConfig(true, Format.JSON);

    public enum Format {
        JSON, COMBINED;

        static Format parse(String text) {
            return switch (text) {
                case "json" -> JSON;
                case "combined" -> COMBINED;
                default -> null;
            };
        }
    }

    /** Reads {@code node} (the {@code access-log} object, possibly absent). */
    public static AccessLogConfig read(ConfigNode node) {
        boolean enabled = node.bool("enabled", DEFAULT.enabled());
        Format format = node.choice("format", DEFAULT.format(), Format::parse, "json, combined");
        node.rejectUnknownKeys();
        return new AccessLogConfig(enabled, format);
    }
}
