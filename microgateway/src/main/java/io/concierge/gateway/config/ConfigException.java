package io.concierge.gateway.config;

/**
 * A configuration error. The message always names the file and the YAML path, in the form
 * {@code domains/orders/gateway.yaml: routes[2].timeouts.read: bad duration 'fast'}, so an
 * operator can go straight to the offending line.
 */
public final class ConfigException extends RuntimeException {
    private final String file;
    private final String path;

    public ConfigException(String file, String path, String message) {
        super(file + ": " + (path.isEmpty() ? "(root)" : path) + ": " + message);
        this.file = file;
        this.path = path;
    }

    public String file() {
        return file;
    }

    public String path() {
        return path;
    }
}
