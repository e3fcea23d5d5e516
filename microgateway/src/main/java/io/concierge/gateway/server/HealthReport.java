package io.concierge.gateway.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /health} of the edge or a gateway, in its three forms: the admin port's full report (the
 * server's own detail, then discovery, then each feature's section), the public port's status
 * alone (whoever reaches it may be an attacker mapping the mesh, so no addresses, prefixes,
 * limits or counters), and the admin port's liveness ({@code /health/live}: this process serves,
 * for registries' and orchestrators' checks). 503 when the server is DOWN.
 */
public final class HealthReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Object> UP = Map.of("status", "UP");
    private static final Map<String, Object> DOWN = Map.of("status", "DOWN");

    /** What only the edge or only a gateway knows about its health. */
    public interface Source {
        /** The server's own detail, {@code status} ("UP" or "DOWN") first. */
        Map<String, Object> detail();

        /** Whether the server is UP, as cheaply as it can tell (the public port asks it). */
        boolean up();
    }

    private final Source source;
    private final Supplier<Map<String, Object>> discovery;
    private final Map<String, Supplier<Object>> sections = new ConcurrentHashMap<>();

    public HealthReport(Source source, Supplier<Map<String, Object>> discovery) {
        this.source = source;
        this.discovery = discovery;
    }

    /** Adds a feature's own part of the report (e.g. "rateLimiting", "security"). */
    public HealthReport section(String name, Supplier<Object> section) {
        sections.put(name, section);
        return this;
    }

    /** The full report, for the admin port and tests. */
    public Map<String, Object> report() {
        Map<String, Object> r = new LinkedHashMap<>(source.detail());
        r.put("discovery", discovery.get());
        sections.forEach((name, section) -> r.put(name, section.get()));
        return r;
    }

    /** The full report, for the admin port's {@code /health}. */
    public void send(ServerResponse res) {
        Map<String, Object> r = report();
        send(res, "UP".equals(r.get("status")), r);
    }

    /** Only {@code {"status":"UP"|"DOWN"}}, for the public port's {@code /health}. */
    public void sendStatus(ServerResponse res) {
        boolean up = source.up();
        send(res, up, up ? UP : DOWN);
    }

    /**
     * The admin port's {@code /health/live}: UP while the process serves. {@code /health} also
     * judges what lies behind (a gateway's upstreams), and one dead service must not take a
     * gateway's other routes and fallbacks out of the edge's table.
     */
    public static void sendLive(ServerResponse res) {
        send(res, true, UP);
    }

    private static void send(ServerResponse res, boolean up, Map<String, Object> body) {
        res.status(up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try {
            res.send(JSON.writeValueAsBytes(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
