package io.concierge.demo.support;

/**
 * Where a demo service listens, read from the environment so the launcher can move services
 * to other ports without rebuilding them.
 */
public final class ServiceEnvironment {
    /** Overrides the bind address of every demo service; default {@value #DEFAULT_HOST}. */
    public static final String HOST_VARIABLE = "SERVICE_HOST";
    /** Loopback by default: the services are reached only through the gateways. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    private ServiceEnvironment() {
    }

    /** The bind address: {@value #HOST_VARIABLE} if set and not blank, else {@value #DEFAULT_HOST}. */
    public static String host() {
        String value = System.getenv(HOST_VARIABLE);
        return value == null || value.isBlank() ? DEFAULT_HOST : value.trim();
    }

    /**
     * The port from {@code variable}, or {@code defaultPort} when it is unset or blank.
     * 0 asks the system for a free port.
     *
     * @throws IllegalArgumentException naming the variable when its value is not a port,
     *                                  so a typo stops start-up instead of binding elsewhere
     */
    public static int port(String variable, int defaultPort) {
        return parsePort(variable, System.getenv(variable), defaultPort);
    }

    static int parsePort(String variable, String value, int defaultPort) {
        if (value == null || value.isBlank()) {
            return defaultPort;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the variable's name
        }
        throw new IllegalArgumentException(variable + " must be a port number from 0 to 65535 (was '"
                + value + "')");
    }
}
