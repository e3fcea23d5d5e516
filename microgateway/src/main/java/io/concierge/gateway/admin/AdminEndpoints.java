package io.concierge.gateway.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.requestid.RequestIds;
import io.concierge.gateway.telemetry.PrometheusText;
import io.concierge.gateway.telemetry.Telemetry;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The admin listener's read-only endpoints beside {@code /health}: {@code /metrics} (Prometheus
 * text) and {@code /admin} (JSON: every section) or {@code /admin/{section}} (one). They are
 * registered on the admin socket only; the public listener never routes to them. Only GET and
 * HEAD are served, except the writes a feature registers ({@link #write}, e.g. the cache purge),
 * each behind the {@link AdminToken}; anything else is a 405 problem.
 */
public final class AdminEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALLOWED = "GET, HEAD";

    private final Telemetry telemetry;
    private final Map<String, Supplier<Object>> sections = new LinkedHashMap<>();
    private final List<Write> writes = new ArrayList<>();
    private final List<java.util.function.Consumer<HttpRouting.Builder>> extensions = new ArrayList<>();

    /** An admin write: a method on a path, guarded by the admin token before the handler runs. */
    private record Write(Method method, String path, AdminToken token, Handler handler) {
    }

    public AdminEndpoints(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    /** Adds a section of {@code /admin}; the supplier runs on each admin request only. */
    public AdminEndpoints section(String name, Supplier<Object> content) {
        sections.put(name, content);
        return this;
    }

    /**
     * Adds an admin write ({@code DELETE /admin/cache}, ...): {@code handler} runs only for a request
     * that {@code token} permits (403 without a configured token, 401 with a wrong one).
     */
    public AdminEndpoints write(Method method, String path, AdminToken token, Handler handler) {
        writes.add(new Write(method, path, token, handler));
        return this;
    }

    /** The current content of one section, as {@code /admin/<name>} would show it; null if there is none. */
    public Object read(String name) {
        Supplier<Object> s = sections.get(name);
        return s == null ? null : s.get();
    }

    /**
     * Adds routes of a feature that lives on the admin port beside these endpoints (the edge's web
     * console); they guard themselves.
     */
    public AdminEndpoints routes(java.util.function.Consumer<HttpRouting.Builder> extension) {
        extensions.add(extension);
        return this;
    }

    /** Registers the writes, {@code /metrics}, {@code /admin} and {@code /admin/{section}} on the admin routing. */
    public void register(HttpRouting.Builder routing) {
        extensions.forEach(e -> e.accept(routing));
        for (Write w : writes) {
            routing.route(w.method(), w.path(), (req, res) -> {
                if (w.token().permits(req, res)) {
                    w.handler().handle(req, res);
                }
            });
        }
        routing.any("/metrics", this::metrics)
                .any("/admin", (req, res) -> admin(req, res, null))
                .any("/admin/{section}", (req, res) -> admin(req, res,
                        req.path().pathParameters().first("section").orElse(null)));
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        if (!readOnly(req, res)) {
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, PrometheusText.CONTENT_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        send(req, res, telemetry.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void admin(ServerRequest req, ServerResponse res, String section) {
        if (!readOnly(req, res)) {
            return;
        }
        Object body;
        if (section == null) {
            Map<String, Object> all = new LinkedHashMap<>();
            sections.forEach((name, s) -> all.put(name, s.get()));
            body = all;
        } else {
            Supplier<Object> s = sections.get(section);
            if (s == null) {
                Problem.send(res, 404, "Not Found", "no admin section '" + section + "' (sections: "
                        + String.join(", ", sections.keySet()) + ")", RequestIds.resolve(req.headers()));
                return;
            }
            body = s.get();
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try {
            send(req, res, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean readOnly(ServerRequest req, ServerResponse res) {
        Method m = req.prologue().method();
        if (m == Method.GET || m == Method.HEAD) {
            return true;
        }
        res.header(HeaderNames.ALLOW, ALLOWED);
        Problem.send(res, 405, "Method Not Allowed", "the admin endpoints are read-only (" + ALLOWED + ")",
                RequestIds.resolve(req.headers()));
        return false;
    }

    private static void send(ServerRequest req, ServerResponse res, byte[] body) {
        if (req.prologue().method() == Method.HEAD) {
            res.header(HeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
            res.send();
        } else {
            res.send(body);
        }
    }

    /** Registered instances per domain, from the registry's current snapshot. */
    public static Supplier<Object> instances(Discovery discovery) {
        return () -> {
            Map<String, List<Map<String, Object>>> byDomain = new TreeMap<>();
            for (Registration r : discovery.snapshot()) {
                Map<String, Object> i = new LinkedHashMap<>();
                i.put("instanceId", r.instanceId());
                i.put("address", r.host() + ":" + r.port());
                i.put("adminPort", r.adminPort());
                i.put("prefixes", r.prefixes());
                i.put("registeredAt", r.registeredAt());
                i.put("meta", r.metadata());
                byDomain.computeIfAbsent(r.domain(), d -> new ArrayList<>()).add(i);
            }
            return byDomain;
        };
    }
}
