package io.concierge.consul;

import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.DiscoveryProvider;

/** {@code discovery: {type: consul, consul: {...}}}, found by the gateway and the edge through ServiceLoader. */
public final class ConsulProvider implements DiscoveryProvider {
    @Override
    public String type() {
        return "consul";
    }

    @Override
    public Settings configure(ConfigNode discovery) {
        ConsulSettings settings = ConsulSettings.read(discovery, System::getenv);
        return new Settings() {
            @Override
            public Discovery open() {
                return new ConsulDiscovery(settings);
            }

            @Override
            public String describe() {
                return "consul " + settings.describe();
            }
        };
    }
}
