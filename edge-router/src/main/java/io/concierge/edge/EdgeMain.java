package io.concierge.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.concierge.gateway.Launcher;
import io.concierge.gateway.config.InstanceConfig;
import io.concierge.gateway.discovery.DiscoveryConfig;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.discovery.StaticDiscovery;

/** {@code edge-router run|validate <edge.yaml>}. */
public final class EdgeMain {
    private EdgeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        EdgeConfig config = Launcher.configToRun("edge-router", "edge.yaml", args, EdgeConfig::load,
                c -> c.discovery().type().name().toLowerCase(java.util.Locale.ROOT) + " discovery");
        if (config == null) {
            return; // validated
        }
        Launcher.run("edge-" + ProcessHandle.current().pid(), config.cluster(), config.discovery(),
                () -> new StaticDiscovery(staticRegistrations(config.discovery())),
                (discovery, cluster) -> EdgeServer.start(config, discovery, cluster),
                e -> "edge listening on http://" + config.listen().host() + ":" + e.port()
                        + " admin http://" + config.admin().host() + ":" + e.adminPort());
    }

    static List<Registration> staticRegistrations(DiscoveryConfig d) {
        List<Registration> rs = new ArrayList<>();
        for (DiscoveryConfig.StaticGateway g : d.gateways()) {
            int i = 0;
            for (InstanceConfig inst : g.instances()) {
                rs.add(new Registration(g.domain() + "-static-" + i++, g.domain(), g.prefixes(), inst.host(),
                        inst.port(), 0, 0L, inst.tls() ? Map.of(Registration.SCHEME, Registration.HTTPS) : Map.of()));
            }
        }
        return rs;
    }
}
