package io.concierge.gateway.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * Whether a server should get new traffic, for the admin {@code /health/ready} probe (a Kubernetes
 * readinessProbe): not before it is registered in discovery with everything a request needs built,
 * and not while it drains on shutdown. {@code /health/live} says only that the process answers.
 */
public final class Readiness {
    /** The states in life-cycle order; a server never goes back. */
    public enum State {
        STARTING, READY, DRAINING
    }

    private volatile State state;

    private Readiness(State state) {
        this.state = state;
    }

    /** A server that becomes ready later ({@link #ready()}), e.g. once registered. */
    public static Readiness starting() {
        return new Readiness(State.STARTING);
    }

    /** A server that is ready as soon as it listens (the edge). */
    public static Readiness readyOnStart() {
        return new Readiness(State.READY);
    }

    public void ready() {
        if (state == State.STARTING) {
            state = State.READY;
        }
    }

    public void draining() {
        state = State.DRAINING;
    }

    public State state() {
        return state;
    }

    /** 200 {@code {"status":"UP"}} when ready, else 503 with the state as the reason. */
    void send(ServerResponse res) {
        State s = state;
        res.status(s == State.READY ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(s == State.READY ? "{\"status\":\"UP\"}"
                : "{\"status\":\"DOWN\",\"reason\":\"" + s.name().toLowerCase(java.util.Locale.ROOT) + "\"}");
    }
}
