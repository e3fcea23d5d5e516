package io.concierge.gateway;

import java.util.List;

import io.concierge.gateway.discovery.StaticDiscovery;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.server.GatewayServer;

/**
 * {@code microgateway run <gateway.yaml>} starts a domain gateway; {@code microgateway validate
 * <gateway.yaml>} checks a file and exits 0 (valid) or 2 (invalid) without starting anything.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        GatewayConfig config = Launcher.configToRun("microgateway", "gateway.yaml", args, GatewayConfig::load,
                c -> "domain '" + c.domain() + "', " + c.routes().size() + " routes, " + c.services().size()
                        + " services, " + c.compositions().size() + " compositions");
        if (config == null) {
            return; // validated
        }
        // A static gateway registers nowhere: nothing watches it.
        Launcher.run("gateway-" + config.domain() + "-" + ProcessHandle.current().pid(), config.cluster(),
                config.discovery(), () -> new StaticDiscovery(List.of()),
                (discovery, cluster) -> GatewayServer.start(config, discovery, cluster),
                g -> "gateway " + config.domain() + " listening on http://" + config.listen().host() + ":"
                        + g.port() + " admin http://" + config.admin().host() + ":" + g.adminPort());
    }
}
