package io.concierge.gateway.discovery;

import java.util.ArrayList;
import java.util.List;

import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.config.InstanceConfig;
import io.concierge.gateway.config.Prefixes;

/**
 * Which discovery implementation this process uses.
 *
 * <ul>
 *   <li>{@code embedded} (default): join the Hazelcast cluster and publish/watch registrations there.</li>
 *   <li>{@code static}: no cluster; a gateway does not register, an edge uses the {@code gateways}
 *       listed here.</li>
 *   <li>any other name: a {@link DiscoveryProvider} from another module on the class path (for
 *       example {@code consul}), configured by its own section {@code discovery.<type>}.</li>
 * </ul>
 *
 * @param provided the provider's validated settings; null unless {@code type} is {@code PROVIDED}
 */
public record DiscoveryConfig(Type type, List<StaticGateway> gateways, String typeName,
                              DiscoveryProvider.Settings provided) {
    public enum Type { EMBEDDED, STATIC, PROVIDED }

    public DiscoveryConfig(Type type, List<StaticGateway> gateways) {
        this(type, gateways, type.name().toLowerCase(java.util.Locale.ROOT), null);
    }

    /** A gateway known from configuration rather than from the registry. */
    public record StaticGateway(String domain, List<String> prefixes, List<InstanceConfig> instances) {
    }

    public static DiscoveryConfig defaults() {
        return new DiscoveryConfig(Type.EMBEDDED, List.of());
    }

    public static DiscoveryConfig read(ConfigNode node) {
        String type = node.string("type", "embedded");
        Type t = switch (type) {
            case "embedded" -> Type.EMBEDDED;
            case "static" -> Type.STATIC;
            default -> Type.PROVIDED;
        };
        DiscoveryProvider.Settings provided = null;
        if (t == Type.PROVIDED) {
            DiscoveryProvider provider = DiscoveryProvider.find(type);
            if (provider == null) {
                List<String> allowed = new ArrayList<>(List.of("embedded", "static"));
                allowed.addAll(DiscoveryProvider.available());
                String hint = type.equals("consul")
                        ? "; the consul module (consul.jar) is not on the class path" : "";
                throw node.error("type", "unknown discovery type '" + type + "' (allowed: "
                        + String.join(", ", allowed) + ")" + hint);
            }
            provided = provider.configure(node);
        }
        List<StaticGateway> gateways = new ArrayList<>();
        for (ConfigNode g : node.objectList("gateways")) {
            String domain = g.requiredString("domain");
            List<String> prefixes = g.stringList("prefixes");
            if (prefixes.isEmpty()) {
                throw g.error("prefixes", "at least one prefix is required");
            }
            for (int i = 0; i < prefixes.size(); i++) {
                Prefixes.validate(prefixes.get(i), g, "prefixes[" + i + "]");
            }
            List<InstanceConfig> instances = new ArrayList<>();
            List<String> urls = g.stringList("instances");
            for (int i = 0; i < urls.size(); i++) {
                // An https:// instance is a gateway listening on TLS (listen.tls), called as upstream.tls says.
                instances.add(InstanceConfig.fromUrl(urls.get(i), 1, g, "instances[" + i + "]"));
            }
            g.rejectUnknownKeys();
            gateways.add(new StaticGateway(domain, List.copyOf(prefixes), List.copyOf(instances)));
        }
        if (t != Type.STATIC && !gateways.isEmpty()) {
            throw node.error("gateways", "static gateways are only used with type: static");
        }
        node.rejectUnknownKeys();
        return new DiscoveryConfig(t, List.copyOf(gateways), type, provided);
    }
}
