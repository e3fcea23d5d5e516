package io.concierge.gateway.composition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Identity;
import io.concierge.gateway.problem.Problem;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * One request to a composition. Every call starts at once on its own virtual thread and waits only
 * for the calls whose results it needs; a fan-out runs {@code fan-out.max-concurrency} workers
 * (fewer for a shorter list) that take its elements in order. Each call's deadline is its own
 * timeout, capped by what is left of the endpoint's budget, so no call outlives the endpoint.
 * The request thread collects outcomes as they complete: the first failed required call answers
 * at once (the rest are cancelled); otherwise the document is assembled in declaration order.
 */
final class CompositionRun {
    private static final Logger LOG = Logger.getLogger(CompositionRun.class.getName());
    static final String PARTIAL_HEADER = "X-Concierge-Partial";
    static final String PARTIAL_FIELD = "_partial";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A call's result: as the upstream sent it (for expressions), as placed (after pick/rename). */
    /** A {@code when: authenticated} call of a request without a verified caller: not made, nothing placed. */
    private static final Outcome SKIPPED = new Outcome(null, null, null, Map.of());

    private record Outcome(JsonNode raw, JsonNode shaped, List<JsonNode> elements, Map<String, String> missing) {
    }

    private final CompositionConfig config;
    private final CompositionClient client;
    private final Exchange exchange;
    private final List<String[]> headers;
    private final long deadline;
    private final Map<String, CompletableFuture<Outcome>> futures = new HashMap<>();
    /** Calls in the order they completed. */
    private final LinkedBlockingQueue<CompositionConfig.Call> completed = new LinkedBlockingQueue<>();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final ObjectNode builtins = NODES.objectNode();
    /** The request's trace context, captured on its thread: the calls run on threads of their own. */
    private final io.opentelemetry.context.Context traceParent = io.opentelemetry.context.Context.current();

    private int skippedCalls;

    CompositionRun(CompositionConfig config, CompositionClient client, Exchange exchange, List<String[]> headers) {
        this.config = config;
        this.client = client;
        this.exchange = exchange;
        this.headers = headers;
        this.deadline = System.nanoTime() + config.timeout().toNanos();
        ObjectNode path = builtins.putObject("path");
        exchange.pathParams().forEach(path::put);
        ObjectNode query = builtins.putObject("query");
        try {
            for (String name : exchange.request().query().names()) {
                query.put(name, exchange.request().query().all(name).get(0));
            }
        } catch (RuntimeException malformed) {
            // Bad percent-encoding: ${query.x} finds nothing, and the call that needs it fails.
        }
        ObjectNode caller = builtins.putObject("caller");
        Identity identity = exchange.attribute(Identity.class);
        if (identity != null) {
            caller.put("subject", identity.subject());
            caller.put("consumer", identity.consumer());
        }
    }

    void execute() {
        boolean hasCaller = exchange.attribute(Identity.class) != null;
        int skipped = 0;
        for (CompositionConfig.Call call : config.calls()) {
            if (call.onlyWithCaller() && !hasCaller) {
                futures.put(call.name(), CompletableFuture.completedFuture(SKIPPED));
                skipped++;
            } else {
                futures.put(call.name(), new CompletableFuture<>());
            }
        }
        skippedCalls = skipped;
        for (CompositionConfig.Call call : config.calls()) {
            if (!futures.get(call.name()).isDone()) {
                start("composition-" + config.id() + "-" + call.name(), () -> run(call));
            }
        }
        try {
            collect();
        } finally {
            threads.forEach(Thread::interrupt);
        }
    }

    private void collect() {
        int pending = futures.size() - skippedCalls;
        while (pending > 0) {
            CompositionConfig.Call done;
            try {
                done = completed.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = null;
            }
            if (done == null) {
                break; // budget spent: whatever has not completed has timed out
            }
            pending--;
            PartFailure f = failure(futures.get(done.name()));
            if (f != null && done.required()) {
                answerProblem(f);
                return;
            }
        }
        ObjectNode doc = NODES.objectNode();
        Map<String, String> missing = new LinkedHashMap<>();
        for (CompositionConfig.Call call : config.calls()) {
            CompletableFuture<Outcome> future = futures.get(call.name());
            if (!future.isDone()) {
                PartFailure timeout = new PartFailure(call.name(), 504, "Gateway Timeout", "the call '" + call.name()
                        + "' did not complete within the composition's timeout of " + config.timeout().toMillis() + " ms");
                if (call.required()) {
                    answerProblem(timeout);
                    return;
                }
                missing.put(call.name(), timeout.getMessage());
                placeFallback(doc, call);
                continue;
            }
            PartFailure f = failure(future);
            try {
                if (f != null) {
                    missing.put(call.name(), f.getMessage());
                    placeFallback(doc, call);
                    continue;
                }
                Outcome o = future.join();
                if (o == SKIPPED) {
                    continue;
                }
                missing.putAll(o.missing());
                if (call.at().perElement()) {
                    call.at().placeEach(doc, o.elements(), call.name());
                } else {
                    call.at().place(doc, o.shaped(), call.name());
                }
            } catch (PartFailure placement) {
                if (call.required()) {
                    answerProblem(placement);
                    return;
                }
                missing.put(call.name(), placement.getMessage());
            }
        }
        ServerResponse res = exchange.response();
        if (!missing.isEmpty()) {
            ObjectNode partial = doc.putObject(PARTIAL_FIELD);
            ArrayNode names = partial.putArray("missing");
            missing.keySet().forEach(names::add);
            ObjectNode errors = partial.putObject("errors");
            missing.forEach(errors::put);
            res.header(PARTIAL_HEADER, String.join(", ", missing.keySet()));
            client.partialAnswered();
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        if (exchange.attribute(Identity.class) != null) {
            // The document is this caller's view of several resources: no shared cache may keep it.
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
        }
        try {
            res.send(CompositionClient.JSON.writeValueAsBytes(doc));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void placeFallback(ObjectNode doc, CompositionConfig.Call call) {
        if (call.at().perElement() || call.at().isRoot()) {
            return; // nothing to place per element without the elements; the field stays as it was
        }
        try {
            call.at().place(doc, call.fallback().deepCopy(), call.name());
        } catch (PartFailure ignored) {
            // the call is listed as missing already
        }
    }

    private static PartFailure failure(CompletableFuture<?> f) {
        return failure(f, "?");
    }

    /** The failure a completed future holds, or null when it succeeded. */
    private static PartFailure failure(CompletableFuture<?> f, String part) {
        if (!f.isCompletedExceptionally()) {
            return null;
        }
        try {
            f.join();
            return null;
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            return e.getCause() instanceof PartFailure p ? p : new PartFailure(part, 502, "Bad Gateway", "internal error");
        }
    }

    private void answerProblem(PartFailure f) {
        Problem.send(exchange.response(), Problem.ABOUT_BLANK, f.status(), f.title(), f.getMessage(),
                exchange.requestId(), body -> body.put("part", f.part()));
    }

    // ---- one call, on its own virtual thread --------------------------------------------

    private void run(CompositionConfig.Call call) {
        CompletableFuture<Outcome> future = futures.get(call.name());
        try {
            Map<String, JsonNode> deps = new HashMap<>();
            for (String d : call.dependsOn()) {
                deps.put(d, awaitDependency(call, d));
            }
            long callDeadline = Math.min(deadline, System.nanoTime() + call.timeout().toNanos());
            if (call.forEach() == null) {
                String target = call.path().render(e -> resolve(e, deps, null), call.name());
                JsonNode raw = client.get(call, exchange, target, headers, callDeadline, config.maxPartSize(), call.name(),
                        traceParent);
                future.complete(new Outcome(raw, shape(call, raw), null, Map.of()));
            } else {
                future.complete(fanOut(call, deps));
            }
        } catch (PartFailure f) {
            future.completeExceptionally(f);
        } catch (InterruptedException e) {
            future.completeExceptionally(new PartFailure(call.name(), 504, "Gateway Timeout", "the call '"
                    + call.name() + "' was cancelled"));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "composition " + config.id() + ": call " + call.name() + " failed", e);
            future.completeExceptionally(new PartFailure(call.name(), 502, "Bad Gateway", "the call '" + call.name()
                    + "' failed"));
        } finally {
            completed.add(call);
        }
    }

    private JsonNode awaitDependency(CompositionConfig.Call call, String dep) throws InterruptedException {
        try {
            return futures.get(dep).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).raw();
        } catch (ExecutionException e) {
            PartFailure f = e.getCause() instanceof PartFailure p ? p : null;
            if (f != null && call.required()) {
                // The endpoint fails for the part that failed first, whichever of the two the
                // collector happens to see first (a required call depends only on required ones).
                throw f;
            }
            throw new PartFailure(call.name(), f != null ? f.status() : 502, f != null ? f.title() : "Bad Gateway",
                    "the call '" + call.name() + "' needs '" + dep + "', which failed"
                            + (f != null ? ": " + f.getMessage() : ""));
        } catch (TimeoutException e) {
            throw new PartFailure(call.name(), 504, "Gateway Timeout", "the call '" + call.name() + "' needs '" + dep
                    + "', which did not complete in time");
        }
    }

    private Outcome fanOut(CompositionConfig.Call call, Map<String, JsonNode> deps) throws InterruptedException {
        Expression list = call.forEach();
        List<JsonNode> items = list.all(source(list.source(), deps, null));
        if (items == null) {
            throw new PartFailure(call.name(), 502, "Bad Gateway", list + " is not a list, so '" + call.name()
                    + "' cannot fan out over it");
        }
        if (items.size() > config.maxFanOut()) {
            throw new PartFailure(call.name(), 502, "Bad Gateway", list + " has " + items.size()
                    + " elements, more than fan-out.max-items (" + config.maxFanOut() + ")");
        }
        int n = items.size();
        List<CompletableFuture<JsonNode>> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            results.add(new CompletableFuture<>());
        }
        // max-concurrency workers take the elements in order: never more threads than may call.
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(n, config.fanOutConcurrency());
        List<Thread> started = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            started.add(start("composition-" + config.id() + "-" + call.name() + "-worker-" + w, () -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    callElement(call, deps, items.get(i), call.name() + "[" + i + "]", results.get(i));
                }
            }));
        }
        try {
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // an element failed (each one's outcome is read below) or the budget is spent
        } catch (InterruptedException e) {
            // The request was cancelled: the workers stop too, even those started after the sweep
            // in execute() (this thread's interrupt flag outlives it; the wait above sees it).
            started.forEach(Thread::interrupt);
            throw e;
        }
        started.forEach(Thread::interrupt); // a no-op for finished workers; stops the rest past the deadline
        Map<String, String> missing = new LinkedHashMap<>();
        List<JsonNode> placed = new ArrayList<>(n);
        ArrayNode raw = NODES.arrayNode();
        for (int i = 0; i < n; i++) {
            CompletableFuture<JsonNode> f = results.get(i);
            if (f.isDone() && !f.isCompletedExceptionally()) {
                JsonNode result = f.join();
                placed.add(result);
                raw.add(result);
                continue;
            }
            String label = call.name() + "[" + i + "]";
            PartFailure failure = f.isDone() ? failure(f, label)
                    : new PartFailure(label, 504, "Gateway Timeout", "the call '" + label + "' did not answer in time");
            if (call.required()) {
                throw failure;
            }
            missing.put(failure.part(), failure.getMessage());
            placed.add(call.fallback().deepCopy());
            raw.addNull();
        }
        ArrayNode shapedList = NODES.arrayNode();
        placed.forEach(shapedList::add);
        return new Outcome(raw, shapedList, placed, missing);
    }

    /** One element of a fan-out, on a worker's thread; its outcome completes {@code result}. */
    private void callElement(CompositionConfig.Call call, Map<String, JsonNode> deps, JsonNode element, String label,
                             CompletableFuture<JsonNode> result) {
        if (Thread.currentThread().isInterrupted()) {
            result.completeExceptionally(new PartFailure(label, 504, "Gateway Timeout", "the call '" + label
                    + "' was cancelled"));
            return;
        }
        if (deadline - System.nanoTime() <= 0) {
            result.completeExceptionally(new PartFailure(label, 504, "Gateway Timeout", "the call '" + label
                    + "' did not start in time"));
            return;
        }
        try {
            long elementDeadline = Math.min(deadline, System.nanoTime() + call.timeout().toNanos());
            String target = call.path().render(e -> resolve(e, deps, element), label);
            result.complete(shape(call, client.get(call, exchange, target, headers, elementDeadline, config.maxPartSize(), label,
                    traceParent)));
        } catch (PartFailure f) {
            result.completeExceptionally(f);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "composition " + config.id() + ": call " + label + " failed", e);
            result.completeExceptionally(new PartFailure(label, 502, "Bad Gateway", "the call '" + label + "' failed"));
        }
    }

    private JsonNode resolve(Expression e, Map<String, JsonNode> deps, JsonNode each) {
        return e.single(source(e.source(), deps, each));
    }

    private JsonNode source(String name, Map<String, JsonNode> deps, JsonNode each) {
        return switch (name) {
            case "path", "query", "caller" -> builtins.get(name);
            case "each" -> each;
            default -> deps.getOrDefault(name, MissingNode.getInstance());
        };
    }

    /** pick, then rename; on an array, element by element. */
    private static JsonNode shape(CompositionConfig.Call call, JsonNode value) {
        if (call.pick().isEmpty() && call.rename().isEmpty()) {
            return value;
        }
        if (value instanceof ArrayNode array) {
            ArrayNode out = NODES.arrayNode();
            array.forEach(v -> out.add(shapeObject(call, v)));
            return out;
        }
        return shapeObject(call, value);
    }

    private static JsonNode shapeObject(CompositionConfig.Call call, JsonNode value) {
        if (!(value instanceof ObjectNode obj)) {
            return value;
        }
        ObjectNode picked;
        if (call.pick().isEmpty()) {
            picked = obj.deepCopy();
        } else {
            picked = NODES.objectNode();
            for (String f : call.pick()) {
                if (obj.has(f)) {
                    picked.set(f, obj.get(f));
                }
            }
        }
        call.rename().forEach((from, to) -> {
            if (picked.has(from)) {
                picked.set(to, picked.remove(from));
            }
        });
        return picked;
    }

    private Thread start(String name, Runnable task) {
        Thread t = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                task.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        });
        threads.add(t);
        t.start();
        return t;
    }
}
