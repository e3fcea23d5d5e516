package io.concierge.gateway.config;

/**
 * Where a server socket listens. Port 0 asks the OS for a free port; the gateway then registers
 * the port it actually got.
 *
 * @param h2c accept HTTP/2 without TLS on this plain listener, by prior knowledge and by
 *            {@code Upgrade: h2c} (default false: it would bypass the HTTP/1 head limits and
 *            deadlines, and nothing in front of a public listener needs it). Only {@code listen}
 *            has it; the admin listener never speaks HTTP/2 on purpose.
 */
public record ListenConfig(String host, int port, boolean h2c) {
    public ListenConfig(String host, int port) {
        this(host, port, false);
    }

    /** A public listener ({@code listen}): host, port and {@code h2c}. */
    public static ListenConfig readPublic(ConfigNode node, String defaultHost, int defaultPort) {
        ListenConfig c = new ListenConfig(node.string("host", defaultHost), node.integer("port", defaultPort, 0, 65535),
                node.bool("h2c", false));
        node.rejectUnknownKeys();
        return c;
    }

    /** An admin listener: host and port. */
    public static ListenConfig read(ConfigNode node, String defaultHost, int defaultPort) {
        ListenConfig c = new ListenConfig(node.string("host", defaultHost), node.integer("port", defaultPort, 0, 65535));
        node.rejectUnknownKeys();
        return c;
    }
}
