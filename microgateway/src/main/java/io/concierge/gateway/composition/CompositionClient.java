package io.concierge.gateway.composition;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.proxy.BufferedGet;
import io.concierge.gateway.balancing.UpstreamGroup;
import io.concierge.gateway.telemetry.ClientSpan;
import io.concierge.gateway.telemetry.Tracing;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Every call of every composition of a gateway goes through this one class (tracing hooks in here).
 * A local call runs in process through the chain of the route that serves its path ({@link LocalCalls}),
 * which authenticates, authorizes, rate-limits and proxies it exactly as it would the client's own
 * request; a call to another domain goes over HTTP straight to one of that domain's gateways, found in
 * discovery, which does the same on its side. Either way the caller's credentials travel with the
 * call, never identity headers: each route verifies the caller itself.
 *
 * <p>Outcome rules: a 2xx with a JSON body is the result; 404, 401, 403 and 429 keep their status
 * (the caller's request, not the mesh, is the problem); a 504 or our own timeout is 504; no live
 * instance is 503; a caller's header that cannot be written into an HTTP/1.1 head is 400; anything else (other statuses, malformed JSON, a body over the limit, a broken
 * connection) is 502. The detail names the call but never its target, which can carry data from
 * another part.
 */
public final class CompositionClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(CompositionClient.class.getName());

    private final DomainDirectory directory;
    private final Tracing tracing;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong partials = new AtomicLong();
    private volatile LocalCalls local = LocalCalls.NONE;

    public CompositionClient(DomainDirectory directory, Tracing tracing) {
        this.directory = directory;
        this.tracing = tracing;
    }

    /** Set once the server's routes are built, before it serves: local calls run through them. */
    void bindLocal(LocalCalls routes) {
        this.local = routes;
    }

    /**
     * @param call     the call's configuration (where it goes, its name for errors)
     * @param caller   the client's request the call is part of
     * @param target   the rendered request target
     * @param headers  the caller's credentials, trace context, request id and client address
     * @param deadline {@link System#nanoTime()} by which the answer must be complete
     * @param maxBody  the composition's max-part-size
     * @param label    the part's name in errors ({@code product[2]} for a fan-out element)
     * @return the parsed JSON
     * @throws PartFailure when the call fails, with the status the endpoint should answer
     */
    JsonNode get(CompositionConfig.Call call, Exchange caller, String target, List<String[]> headers, long deadline,
                 long maxBody, String label, Context traceParent) {
        calls.incrementAndGet();
        return call.domain() == null ? local(call, caller, target, headers, deadline, maxBody, label, traceParent)
                : remote(call, target, headers, deadline, maxBody, label, traceParent);
    }

    /**
     * A call to this gateway's own service, through the chain of the route that serves its path, on a
     * thread of its own so it ends at its deadline whatever step it is in (a socket read of the proxy
     * is interrupted, and that connection dropped). One INTERNAL span per part, current while the
     * route runs, so the proxy's CLIENT span to the service is its child.
     */
    private JsonNode local(CompositionConfig.Call call, Exchange caller, String target, List<String[]> headers,
                           long deadline, long maxBody, String label, Context traceParent) {
        try (ClientSpan span = tracing.localCall(traceParent, call.name(), label)) {
            Context context = tracing.enabled() ? span.context() : traceParent;
            CompletableFuture<LocalCalls.Answer> answer = new CompletableFuture<>();
            LocalCalls routes = local;
            Thread worker = Thread.ofVirtual().name("composition-local-" + label).start(() -> {
                try (Scope ignored = context.makeCurrent()) {
                    answer.complete(routes.get(caller, target, headers, maxBody));
                } catch (Throwable t) {
                    answer.completeExceptionally(t);
                }
            });
            try {
                LocalCalls.Answer a = awaitLocal(answer, worker, deadline, label);
                span.status(a.status());
                if (a.tooLarge()) {
                    throw fail(label, 502, "Bad Gateway", "the call '" + label + "' answered more than " + maxBody
                            + " bytes (max-part-size)");
                }
                return parse(a.status(), a.body(), label);
            } catch (PartFailure f) {
                span.failed(f); // no-op when a 4xx/5xx status already marked the span
                throw f;
            }
        }
    }

    private LocalCalls.Answer awaitLocal(CompletableFuture<LocalCalls.Answer> answer, Thread worker, long deadline,
                                         String label) {
        try {
            LocalCalls.Answer a = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (a == null) {
                throw fail(label, 502, "Bad Gateway", "the call '" + label + "' could not reach this gateway's routes");
            }
            return a;
        } catch (TimeoutException e) {
            worker.interrupt();
            throw fail(label, 504, "Gateway Timeout", "the call '" + label + "' did not answer in time");
        } catch (InterruptedException e) {
            worker.interrupt();
            Thread.currentThread().interrupt(); // the composition is cancelled: its other calls stop too
            throw fail(label, 504, "Gateway Timeout", "the call '" + label + "' was cancelled");
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "composition call " + label + " failed in its route", e.getCause());
            throw fail(label, 502, "Bad Gateway", "the call '" + label + "' failed");
        }
    }

    private JsonNode remote(CompositionConfig.Call call, String target, List<String[]> headers, long deadline,
                            long maxBody, String label, Context traceParent) {
        UpstreamGroup group = directory.group(call.domain());
        // One CLIENT span per call, a child of the request's SERVER span: a fan-out's calls are
        // parallel siblings. The instance is only known once it answered.
        String host = call.domain();
        int query = target.indexOf('?');
        try (ClientSpan span = tracing.clientCall(traceParent, "GET", host, 0,
                "http://" + host + (query < 0 ? target : target.substring(0, query)), call.domain())) {
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
                return parse(response.status(), response.body(), label);
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
            throw fail(label, 503, "Service Unavailable", "the call '" + label + "' found no live gateway of domain '"
                    + call.domain() + "'");
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw fail(label, 504, "Gateway Timeout", "the call '" + label + "' was cancelled");
            }
            throw fail(label, 502, "Bad Gateway", "the call '" + label + "' failed: connection lost or invalid response");
        }
    }

    private JsonNode parse(int status, byte[] body, String label) {
        if (status >= 200 && status < 300) {
            try {
                JsonNode node = JSON.readTree(body);
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
        directory.close();
    }
}
