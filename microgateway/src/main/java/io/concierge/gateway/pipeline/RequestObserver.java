package io.concierge.gateway.pipeline;

/**
 * Who watches a request from outside the chain (the server's telemetry): steps report what they
 * learn so spans, metrics and the access log are labelled with it.
 */
public interface RequestObserver {
    /** For unit tests of steps, and for exchanges nobody watches. */
    RequestObserver NONE = new RequestObserver() {
        @Override
        public void requestId(String requestId) {
        }

        @Override
        public void route(String template) {
        }
    };

    void requestId(String requestId);

    /** The matched route's template (or the edge's domain); never a raw path. */
    void route(String template);
}
