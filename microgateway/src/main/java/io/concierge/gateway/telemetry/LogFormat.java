package io.concierge.gateway.telemetry;

import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * {@code LOG_FORMAT}: {@code text} (default, one line per record as configured in
 * {@code logging.properties}) or {@code json} ({@link JsonLogFormatter} on every root handler).
 */
public final class LogFormat {
    public static final String ENV = "LOG_FORMAT";

    private LogFormat() {
    }

    /**
     * Applies {@code value} (the environment variable's, possibly null) to the root logger's handlers.
     *
     * @throws IllegalArgumentException for a value other than {@code text} or {@code json}
     */
    public static void apply(String value) {
        if (value == null || value.isBlank() || value.equals("text")) {
            return;
        }
        if (!value.equals("json")) {
            throw new IllegalArgumentException(ENV + " must be text or json (was '" + value + "')");
        }
        for (Handler h : Logger.getLogger("").getHandlers()) {
            h.setFormatter(new JsonLogFormatter());
        }
    }
}
