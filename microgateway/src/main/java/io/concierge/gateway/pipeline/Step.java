package io.concierge.gateway.pipeline;

/**
 * One step of a request chain (authentication, rate limiting, the upstream call, ...). A step
 * either answers the request itself through {@link Exchange#response()}, or calls
 * {@code next.proceed(exchange)} exactly once; never both. Whatever it takes before proceeding
 * (a permit, a slot, a span) it releases in a {@code finally} around {@code proceed}.
 *
 * <p>A step that must see or change the answer of the steps after it (status, headers, body)
 * registers a {@link ResponseInterceptor} with {@link Exchange#beforeHead} before it proceeds: the
 * answer's head is written only after every registered interceptor has run, so the step acts on
 * the upstream's response before the client sees a byte of it, while the body still streams.
 *
 * <p>Steps are built once per route at load (their configuration and stats are fields) and shared
 * by all requests: {@link #handle} must be thread-safe and cheap.
 */
@FunctionalInterface
public interface Step {
    void handle(Exchange exchange, Chain next);
}
