package io.concierge.gateway.pipeline;

/**
 * One step of a request pipeline (authentication, rate limiting, ...). A filter either answers
 * the request itself and returns false, or returns true to pass it on; it never does both. Built
 * once at startup from configuration; {@link #apply} must be thread-safe and cheap.
 */
@FunctionalInterface
public interface Filter {
    boolean apply(Exchange exchange);
}
