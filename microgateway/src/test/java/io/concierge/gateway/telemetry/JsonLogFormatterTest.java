package io.concierge.gateway.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.requestid.RequestIds;
import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.TestTracing;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.Context;

/**
 * {@code LOG_FORMAT=json}: one JSON object per line with level, logger, message, the current span's
 * trace id and the current request's id; access-log JSON lines pass through unwrapped.
 */
class JsonLogFormatterTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final JsonLogFormatter formatter = new JsonLogFormatter();

    private static LogRecord record(Level level, String logger, String message, Object... params) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName(logger);
        r.setParameters(params);
        return r;
    }

    @Test
    void aRecordIsOneJsonLineWithLevelLoggerAndMessage() throws Exception {
        String line = formatter.format(record(Level.WARNING, "io.concierge.x", "upstream {0} is \"down\"\nagain", "u1"));
        assertTrue(line.endsWith("\n"));
        assertEquals(1, line.split("\n").length, "one line, newlines in the message escaped");
        JsonNode j = MAPPER.readTree(line);
        assertEquals("WARNING", j.path("level").asText());
        assertEquals("io.concierge.x", j.path("logger").asText());
        assertEquals("upstream u1 is \"down\"\nagain", j.path("message").asText());
        assertTrue(j.hasNonNull("time"));
        assertFalse(j.has("trace_id"), "no span, no trace id");
        assertFalse(j.has("request_id"), "outside a request, no request id");
    }

    @Test
    void traceIdFromTheCurrentSpanAndRequestIdFromTheCurrentRequest() throws Exception {
        try (TestTracing tracing = new TestTracing("log-test")) {
            Span span = tracing.tracing().serverSpan("GET", Context.root()).startSpan();
            assertTrue(span.getSpanContext().isValid());
            String previous = RequestIds.enter("req-42");
            try (Scope ignored = span.makeCurrent()) {
                JsonNode j = MAPPER.readTree(formatter.format(record(Level.INFO, "io.concierge.y", "hello")));
                assertEquals(span.getSpanContext().getTraceId(), j.path("trace_id").asText());
                assertEquals(span.getSpanContext().getSpanId(), j.path("span_id").asText());
                assertEquals("req-42", j.path("request_id").asText());
            } finally {
                RequestIds.exit(previous);
                span.end();
            }
        }
        assertEquals(null, RequestIds.current(), "the request id is gone after the request");
    }

    @Test
    void exceptionsAreOneFieldAndAccessLogLinesPassThrough() throws Exception {
        LogRecord r = record(Level.SEVERE, "io.concierge.z", "failed");
        r.setThrown(new IllegalStateException("boom"));
        JsonNode j = MAPPER.readTree(formatter.format(r));
        assertTrue(j.path("exception").asText().startsWith("java.lang.IllegalStateException: boom"));

        String access = "{\"request_id\":\"r1\",\"status\":200}";
        assertEquals(access + "\n", formatter.format(record(Level.INFO, AccessLog.LOGGER, access)));
    }

    @Test
    void aLineLoggedWhileARealGatewayHandlesARequestCarriesItsRequestId() throws Exception {
        Logger access = Logger.getLogger("io.concierge.gateway.security.Access");
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(getFormatter().format(record)); // formatted on the logging (request) thread
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setFormatter(formatter);
        access.addHandler(capture);
        try (Resources resources = new Resources()) {
            WireUpstream upstream = resources.track(
                    WireUpstream.start(WireUpstream.echo()));
            GatewayServer g = resources.track(TestGateways.start(
                    TestGateways.oneRouteYaml("", "", upstream.port()) + """
                            security:
                              default-access: authenticated
                              jwt:
                                issuers:
                                  t: {issuer: t, algorithms: [HS256], secret: a-test-secret-of-at-least-32-bytes!!}
                            """));
            // A bad token is refused with a log line (INFO) on the request's thread.
            WireResponse r = WireClient.exchange(g.port(),
                    "GET", "/api/x", "Authorization: Bearer not.a.token", "X-Request-Id: rid-json-1");
            assertEquals(401, r.status());
        } finally {
            access.removeHandler(capture);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"request_id\":\"rid-json-1\"")), lines.toString());
    }

    @Test
    void logFormatAcceptsTextOrJsonOnly() {
        LogFormat.apply(null);
        LogFormat.apply("text");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogFormat.apply("xml"));
        assertTrue(e.getMessage().contains("LOG_FORMAT"), e.getMessage());
    }
}
