package io.concierge.gateway.telemetry;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per request on the {@value #LOGGER} java.util.logging logger, JSON by default or Apache
 * {@code combined} with Concierge's fields appended. Unless logging configuration gives that logger
 * handlers of its own, lines go to standard output bare (no logger prefix), one per line.
 *
 * <p>Never logged: the query string (it can carry an API key), request headers other than
 * User-Agent and Referer (without query), any token or key. The consumer is the verified identity's
 * consumer name or subject, never a credential.
 */
public final class AccessLog {
    public static final String LOGGER = "concierge.access";
    private static final Logger LOG = Logger.getLogger(LOGGER);
    private static final DateTimeFormatter CLF = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    static {
        if (LOG.getHandlers().length == 0) {
            LOG.setUseParentHandlers(false);
            LOG.addHandler(new BareLineHandler(System.out));
        }
    }

    private final AccessLogConfig.Format format;
    private final String server;

    AccessLog(AccessLogConfig.Format format, String server) {
        this.format = format;
        this.server = server;
    }

    /** What one line says; filled by {@link RequestTelemetry} at the end of a request. */
    record Entry(long epochMillis, String requestId, String traceId, String client, String method, String path,
                 String protocol, String route, int status, long bytes, double durationMs, double upstreamMs,
                 String consumer, String referer, String userAgent) {
    }

    boolean enabled() {
        return LOG.isLoggable(Level.INFO);
    }

    void write(Entry e) {
        LOG.log(Level.INFO, format == AccessLogConfig.Format.JSON ? json(e) : combined(e));
    }

    String json(Entry e) {
        StringBuilder sb = new StringBuilder(320);
        sb.append("{\"time\":\"").append(Instant.ofEpochMilli(e.epochMillis())).append('"');
        field(sb, "server", server);
        field(sb, "request_id", e.requestId());
        field(sb, "trace_id", e.traceId());
        field(sb, "client", e.client());
        field(sb, "method", e.method());
        field(sb, "path", e.path());
        field(sb, "route", e.route());
        sb.append(",\"status\":").append(e.status());
        sb.append(",\"bytes\":").append(e.bytes());
        sb.append(",\"duration_ms\":").append(millis(e.durationMs()));
        sb.append(",\"upstream_ms\":").append(millis(e.upstreamMs()));
        field(sb, "consumer", e.consumer());
        field(sb, "user_agent", e.userAgent());
        return sb.append('}').toString();
    }

    String combined(Entry e) {
        StringBuilder sb = new StringBuilder(320);
        // The user field is unquoted: a space would shift every later field for log parsers.
        String user = e.consumer() == null ? null : quoteSafe(e.consumer()).replace(" ", "\\x20");
        sb.append(dash(e.client())).append(" - ").append(dash(user))
                .append(" [").append(CLF.format(Instant.ofEpochMilli(e.epochMillis()))).append("] \"")
                .append(quoteSafe(e.method())).append(' ').append(quoteSafe(e.path())).append(' ')
                .append(e.protocol()).append("\" ").append(e.status()).append(' ').append(e.bytes())
                .append(" \"").append(e.referer() == null ? "-" : quoteSafe(e.referer())).append("\" \"")
                .append(e.userAgent() == null ? "-" : quoteSafe(e.userAgent())).append('"')
                .append(" rid=").append(dash(e.requestId()))
                .append(" trace=").append(dash(e.traceId()))
                .append(" route=\"").append(quoteSafe(e.route())).append('"')
                .append(" dur_ms=").append(millis(e.durationMs()))
                .append(" up_ms=").append(millis(e.upstreamMs()));
        return sb.toString();
    }

    private static String dash(String v) {
        return v == null || v.isEmpty() ? "-" : v;
    }

    /** Milliseconds with three decimals; by hand, since String.format costs microseconds per call. */
    static String millis(double ms) {
        long micros = Math.round(Math.max(0, ms) * 1000);
        long frac = micros % 1000;
        return (micros / 1000) + (frac < 10 ? ".00" : frac < 100 ? ".0" : ".") + frac;
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(",\"").append(name).append("\":");
        if (value == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Client-sent text inside a quoted field: quotes, backslashes and control characters escaped. */
    private static String quoteSafe(String v) {
        StringBuilder sb = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Prints the message alone, one line per record, through a {@link LineWriter}. */
    private static final class BareLineHandler extends Handler {
        private final LineWriter out;

        BareLineHandler(PrintStream out) {
            this.out = new LineWriter(out, "concierge-access-log");
        }

        @Override
        public void publish(LogRecord record) {
            if (isLoggable(record)) {
                out.write(record.getMessage());
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            flush();
        }
    }
}
