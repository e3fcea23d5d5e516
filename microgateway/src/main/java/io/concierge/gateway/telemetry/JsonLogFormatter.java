package io.concierge.gateway.telemetry;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.concierge.gateway.requestid.RequestIds;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * Application log records as JSON lines ({@code LOG_FORMAT=json}): {@code time}, {@code level},
 * {@code logger}, {@code message}, the {@code thread}, {@code trace_id} and {@code span_id} of the
 * current OpenTelemetry span when one is recording, the {@code request_id} of the request the thread
 * is handling, and {@code exception} (the stack trace) when the record has one.
 *
 * <p>Access-log records in JSON ({@value AccessLog#LOGGER}) are already one JSON object with the
 * request's ids: they are written as they are, so a log pipeline reads one JSON object per line either
 * way.
 */
public final class JsonLogFormatter extends Formatter {
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public String format(LogRecord record) {
        String message = formatMessage(record);
        if (AccessLog.LOGGER.equals(record.getLoggerName()) && message != null && message.startsWith("{")) {
            return message + "\n";
        }
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(record.getMillis()).toString());
            g.writeStringField("level", record.getLevel().getName());
            g.writeStringField("logger", record.getLoggerName() == null ? "" : record.getLoggerName());
            g.writeStringField("message", message == null ? "" : message);
            g.writeStringField("thread", Thread.currentThread().getName());
            SpanContext span = Span.current().getSpanContext();
            if (span.isValid()) {
                g.writeStringField("trace_id", span.getTraceId());
                g.writeStringField("span_id", span.getSpanId());
            }
            String requestId = RequestIds.current();
            if (requestId != null) {
                g.writeStringField("request_id", requestId);
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                g.writeStringField("exception", trace.toString());
            }
            g.writeEndObject();
        } catch (java.io.IOException e) {
            // A StringWriter does not fail; keep the record rather than lose it.
            return record.getLevel() + " " + record.getLoggerName() + " " + message + "\n";
        }
        return out.append('\n').toString();
    }
}
