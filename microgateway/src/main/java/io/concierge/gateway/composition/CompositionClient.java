package io.concierge.gateway.composition;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.proxy.BufferedGet;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.telemetry.ClientSpan;
import io.concierge.gateway.telemetry.Tracing;
import io.opentelemetry.context.Context;

/**
 * Every outbound call of every composition of a gateway goes through this one class (tracing hooks
 * in here). A local call goes to this gateway's own listener, so the route that serves its path
 * authenticates, authorizes, rate-limits and proxies it exactly as it would the client's own
 * request; a call to another domain goes straight to one of that domain's gateways, found in
 * discovery, which does the same on its side. Either way the caller's credentials travel with the
 * call, never identity headers: each gateway verifies the caller itself.
 *
 * <p>Outcome rules: a 2xx with a JSON body is the result; 404, 401, 403 and 429 keep their status
 * (the caller's request, not the mesh, is the problem); a 504 or our own timeout is 504; no live
 * instance is 503; a caller's header that cannot be written into an HTTP/1.1 head is 400; anything else (other statuses, malformed JSON, a body over the limit, a broken
 * connection) is 502. The detail names the call but never its target, which can carry data from
 * another part.
 */
public final class CompositionClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final UpstreamGroup self;
    private final DomainDirectory directory;
    private final String selfHost;
    private final Tracing tracing;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong partials = new AtomicLong();
    private volatile int selfPort;

    /**
     * @param host this gateway's listen address (a wildcard address is reached on loopback)
     */
    public CompositionClient(String host, DomainDirectory directory) {
        this(host, directory, Tracing.disabled());
    }

    public CompositionClient(String host, DomainDirectory directory, Tracing tracing) {
        this.directory = directory;
        this.tracing = tracing;
        this.self = DomainDirectory.gatewayGroup("this gateway", 64);
        this.selfHost = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "127.0.0.1" : host;
    }

    /** Called once the listener is bound: local calls go to this port. */
    public void bind(int port) {
        selfPort = port;
        self.update(List.of(new UpstreamGroup.Endpoint(selfHost, port, 1)));
    }

    /**
     * @param call     the call's configuration (where it goes, its name for errors)
     * @param target   the rendered request target
     * @param headers  the caller's credentials, trace context, request id and client address
     * @param deadline {@link System#nanoTime()} by which the answer must be complete
     * @param maxBody  the composition's max-part-size
     * @param label    the part's name in errors ({@code product[2]} for a fan-out element)
     * @return the parsed JSON
     * @throws PartFailure when the call fails, with the status the endpoint should answer
     */
    JsonNode get(CompositionConfig.Call call, String target, List<String[]> headers, long deadline, long maxBody,
                 String label, Context traceParent) {
        calls.incrementAndGet();
        UpstreamGroup group = call.domain() != null ? directory.group(call.domain()) : self;
        // One CLIENT span per call, a child of the request's SERVER span: a fan-out's calls are
        // parallel siblings. A cross-domain call's instance is only known once it answered.
        String host = call.domain() != null ? call.domain() : selfHost;
        int port = call.domain() != null ? 0 : selfPort;
        int query = target.indexOf('?');
        try (ClientSpan span = tracing.clientCall(traceParent, "GET", host, port,
                "http://" + host + (port > 0 ? ":" + port : "") + (query < 0 ? target : target.substring(0, query)),
                call.domain() != null ? call.domain() : "this gateway")) {
            List<String[]> sent = headers;
            if (tracing.enabled()) {
                List<String[]> withContext = new java.util.ArrayList<>(headers.size() + 3);
                withContext.addAll(headers);
                span.inject((k, v) -> withContext.add(new String[] {k, v}));
                sent = withContext;
            }
            try {
                BufferedGet.Response response = exchange(call, group, target, sent, deadline, maxBody, label);
                span.peer(response.host(), response.port());
                span.status(response.status());
                return parse(response, label);
            } catch (PartFailure f) {
                span.failed(f); // no-op when a 4xx/5xx status already marked the span
                throw f;
            }
        }
    }

    private BufferedGet.Response exchange(CompositionConfig.Call call, UpstreamGroup group, String target,
                                          List<String[]> headers, long deadline, long maxBody, String label) {
        try {
            return BufferedGet.get(group, target, headers, deadline, maxBody);
        } catch (SocketTimeoutException e) {
            throw fail(label, 504, "Gateway Timeout", "the call '" + label + "' did not answer in time");
        } catch (BufferedGet.TooLargeException e) {
            throw fail(label, 502, "Bad Gateway", "the call '" + label + "' answered more than " + maxBody
                    + " bytes (max-part-size)");
        } catch (io.concierge.gateway.proxy.UnsafeRequestHeadException e) {
            // A header the caller sent (its credentials travel with every call) cannot be written into
            // an HTTP/1.1 head: the caller's request is at fault, and nothing was sent.
            throw fail(label, 400, "Bad Request", "the call '" + label + "' cannot be sent: " + e.getMessage());
        } catch (BufferedGet.NoInstanceException e) {
            throw fail(label, call.domain() != null ? 503 : 502, call.domain() != null ? "Service Unavailable" : "Bad Gateway",
                    call.domain() != null ? "the call '" + label + "' found no live gateway of domain '"
                            + call.domain() + "'" : "the call '" + label + "' could not reach this gateway");
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw fail(label, 504, "Gateway Timeout", "the call '" + label + "' was cancelled");
            }
            throw fail(label, 502, "Bad Gateway", "the call '" + label + "' failed: connection lost or invalid response");
        }
    }

    private JsonNode parse(BufferedGet.Response response, String label) {
        int status = response.status();
        if (status >= 200 && status < 300) {
            try {
                JsonNode node = JSON.readTree(response.body());
                if (node == null || node.isMissingNode()) {
                    throw fail(label, 502, "Bad Gateway", "the call '" + label + "' answered an empty body, not JSON");
                }
                return node;
            } catch (IOException e) { // JacksonException included
                throw fail(label, 502, "Bad Gateway", "the call '" + label + "' answered malformed JSON");
            }
        }
        throw switch (status) {
            case 404 -> fail(label, 404, "Not Found", "the call '" + label + "' found nothing (404)");
            case 401 -> fail(label, 401, "Unauthorized", "the call '" + label + "' needs valid credentials (401)");
            case 403 -> fail(label, 403, "Forbidden", "the call '" + label + "' was refused for this caller (403)");
            case 429 -> fail(label, 429, "Too Many Requests", "the call '" + label + "' was rate limited (429)");
            case 504 -> fail(label, 504, "Gateway Timeout", "the call '" + label + "' timed out upstream (504)");
            default -> fail(label, 502, "Bad Gateway", "the call '" + label + "' answered " + status);
        };
    }

    private PartFailure fail(String label, int status, String title, String detail) {
        failures.incrementAndGet();
        return new PartFailure(label, status, title, detail);
    }

    void partialAnswered() {
        partials.incrementAndGet();
    }

    boolean tracingEnabled() {
        return tracing.enabled();
    }

    /** Counters for health output. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("calls", calls.get());
        m.put("failedCalls", failures.get());
        m.put("partialResponses", partials.get());
        m.put("domains", directory.describe());
        return m;
    }

    @Override
    public void close() {
        self.close();
        directory.close();
    }
}
