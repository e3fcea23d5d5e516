package io.concierge.gateway.config;

/**
 * Where a server socket listens. Port 0 asks the OS for a free port; the gateway then registers
 * the port it actually got.
 */
public record ListenConfig(String host, int port) {
    public static ListenConfig read(ConfigNode node, String defaultHost, int defaultPort) {
        ListenConfig c = new ListenConfig(node.string("host", defaultHost), node.integer("port", defaultPort, 0, 65535));
        node.rejectUnknownKeys();
        return c;
    }
}
