package io.concierge.gateway.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import io.concierge.gateway.config.ConfigNode;

/**
 * A discovery implementation that lives in another module (Consul in {@code consul/}), found with
 * {@link ServiceLoader} by the {@code discovery.type} it answers to. The microgateway module cannot
 * depend on those modules (they depend on it), so this is the only way they plug in; a type whose
 * module is not on the class path is a configuration error, not a class-loading failure at run time.
 */
public interface DiscoveryProvider {
    /** The {@code discovery.type} value this provider answers to, e.g. {@code consul}. */
    String type();

    /**
     * Reads and validates this provider's own section, {@code discovery.<type>}, strictly (unknown
     * keys are errors naming the file and YAML path). Must not connect anywhere: {@code validate}
     * runs this too.
     *
     * @param discovery the whole {@code discovery} mapping; read only your own key from it
     */
    Settings configure(ConfigNode discovery);

    /** Validated settings, opened once the process starts. */
    interface Settings {
        /** Creates the running discovery; the caller owns it and closes it. */
        Discovery open();

        /** For logs: where this discovery points, without secrets. */
        String describe();
    }

    /** @return the provider for {@code type}, or null when no module on the class path offers it */
    static DiscoveryProvider find(String type) {
        for (DiscoveryProvider p : ServiceLoader.load(DiscoveryProvider.class)) {
            if (p.type().equals(type)) {
                return p;
            }
        }
        return null;
    }

    /** Types offered by the modules on the class path, for error messages. */
    static List<String> available() {
        List<String> types = new ArrayList<>();
        ServiceLoader.load(DiscoveryProvider.class).forEach(p -> types.add(p.type()));
        return types;
    }
}
