package io.concierge.gateway.proxy;

/**
 * Watches each try of an upstream exchange (telemetry: a client span and the upstream latency). The
 * proxy package knows nothing of tracing or metrics; it asks for one {@link Attempt} per try and
 * writes the headers the attempt wants into the request head it builds itself.
 */
public interface UpstreamObserver {
    /** Observes nothing, adds no header, forwards the client's trace headers untouched. */
    UpstreamObserver NONE = new UpstreamObserver() {
        @Override
        public Attempt start(String service, String method, String host, int port, String target) {
            return Attempt.NONE;
        }

        @Override
        public boolean replacesTraceHeaders() {
            return false;
        }
    };

    /**
     * Called once per try, before the connection is taken or opened.
     *
     * @param target the request target sent upstream (path and query)
     */
    Attempt start(String service, String method, String host, int port, String target);

    /**
     * True when {@link Attempt#headers()} carries the trace context, so the client's own
     * {@code traceparent}, {@code tracestate} and {@code baggage} must not be copied as well.
     */
    boolean replacesTraceHeaders();

    /** One try; {@link #end()} is always called, after {@link #status} or {@link #failed}. */
    interface Attempt {
        Attempt NONE = new Attempt() {
        };

        /** Header lines ({@code "Name: value\r\n"}) to add to the request head; empty for none. */
        default String headers() {
            return "";
        }

        /** The upstream's response status, once its head was read. */
        default void status(int status) {
        }

        /** The try failed before a usable response head (refused, timed out, protocol error). */
        default void failed(Throwable error) {
        }

        default void end() {
        }
    }
}
