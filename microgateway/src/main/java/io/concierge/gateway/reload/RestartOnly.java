package io.concierge.gateway.reload;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import io.concierge.gateway.config.ListenConfig;
import io.concierge.gateway.discovery.DiscoveryConfig;

/**
 * The settings a reload cannot change because what they configure is built once per process (the
 * listeners, the cluster membership, the discovery client, the telemetry): each with its YAML name,
 * so a refusal says exactly what to put back or when to restart.
 *
 * @param <C> the configuration type
 */
public final class RestartOnly<C> {
    private record Setting<C>(String yamlName, Function<C, Object> value) {
    }

    private final List<Setting<C>> settings = new ArrayList<>();

    /** Adds a restart-only setting compared by {@link Object#equals}. */
    public RestartOnly<C> setting(String yamlName, Function<C, Object> value) {
        settings.add(new Setting<>(yamlName, value));
        return this;
    }

    /** "changing listen needs a restart (running ..., file ...)" for the first setting that differs, or null. */
    public String check(C running, C next) {
        List<String> changed = new ArrayList<>();
        for (Setting<C> s : settings) {
            Object a = s.value().apply(running);
            Object b = s.value().apply(next);
            if (!Objects.equals(a, b)) {
                changed.add(s.yamlName() + " (running " + a + ", file " + b + ")");
            }
        }
        return changed.isEmpty() ? null : "changing " + String.join(", ", changed)
                + " needs a restart; the running configuration stays";
    }

    /** A listener as its YAML reads: host:port, with h2c when on. */
    public static String listener(ListenConfig l) {
        return l.host() + ":" + l.port() + (l.h2c() ? " h2c" : "");
    }

    /**
     * Discovery as far as it is comparable: its type, static gateways and, for a provider (Consul),
     * the provider's own description (its settings have no equality of their own).
     */
    public static String discovery(DiscoveryConfig d) {
        return d.typeName() + (d.gateways().isEmpty() ? "" : " " + d.gateways())
                + (d.provided() == null ? "" : " " + d.provided().describe());
    }
}
