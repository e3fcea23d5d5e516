package io.concierge.gateway.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The rest of a request chain, built once at load: an immutable list of linked nodes, so a request
 * walks it without allocating anything (no per-request cursor, list or lambda) and the same chain
 * can run for several requests, or nested requests, at once. {@code RouteChains} builds every chain.
 */
public final class Chain {
    private static final Chain END = new Chain(null, null);

    private final Step step;
    private final Chain rest;

    private Chain(Step step, Chain rest) {
        this.step = step;
        this.rest = rest;
    }

    /** A chain of {@code steps} in order; the last one must answer (a terminal step). */
    public static Chain of(List<? extends Step> steps) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a chain needs at least its terminal step");
        }
        Chain c = END;
        for (int i = steps.size() - 1; i >= 0; i--) {
            c = new Chain(steps.get(i), c);
        }
        return c;
    }

    /** Runs the next step; it answers or proceeds with the one after it. */
    public void proceed(Exchange exchange) {
        if (step == null) {
            // A terminal step that proceeds: a bug in assembly, never a client's doing.
            throw new IllegalStateException("the request chain ended without an answer");
        }
        step.handle(exchange, rest);
    }

    /** The steps from here on, in order (for tests and diagnostics). */
    public List<Step> steps() {
        List<Step> all = new ArrayList<>();
        for (Chain c = this; c.step != null; c = c.rest) {
            all.add(c.step);
        }
        return all;
    }
}
