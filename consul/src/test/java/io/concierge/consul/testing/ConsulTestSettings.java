package io.concierge.consul.testing;

import io.concierge.consul.ConsulSettings;
import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.config.YamlSource;

/** {@code discovery.consul} settings for tests, from YAML lines, with short check intervals. */
public final class ConsulTestSettings {
    private ConsulTestSettings() {
    }

    /**
     * @param address  the stand-in's address
     * @param extra    YAML lines under {@code consul:} (indented by the caller's two spaces), may be empty
     */
    public static ConsulSettings settings(String address, String extra) {
        String yaml = "discovery:\n  type: consul\n  consul:\n    address: " + address + "\n"
                + "    check: {interval: 200ms, timeout: 1s, deregister-critical-after: 1m}\n"
                + "    watch: {wait: 30s, backoff-min: 50ms, backoff-max: 500ms}\n"
                + "    resync-interval: 300ms\n"
                + extra.lines().map(l -> "    " + l + "\n").reduce("", String::concat);
        ConfigNode root = YamlSource.parse("test.yaml", yaml, k -> null);
        return ConsulSettings.read(root.object("discovery"), k -> null);
    }

    /** The same, as the {@code discovery} section of a gateway.yaml or edge.yaml. */
    public static String discoveryYaml(String address) {
        return "discovery:\n  type: consul\n  consul:\n    address: " + address + "\n"
                + "    check: {interval: 200ms, timeout: 1s}\n"
                + "    watch: {wait: 30s, backoff-min: 50ms, backoff-max: 500ms}\n"
                + "    resync-interval: 300ms\n";
    }
}
