package io.concierge.edge.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.admin.AdminToken;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.requestid.RequestIds;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The edge's web console on its admin port (docs/operations.md, "Web console"): {@code /console}
 * (the page), {@code /console/assets/*} (its script and style, from the jar's {@code console/}
 * folder, read once), {@code /console/api/state} (the mesh as JSON, {@link MeshSnapshot}) and the
 * two actions ({@link ConsoleActions}). Every answer forbids framing and anything not from the
 * admin port itself (CSP {@code default-src 'self'}), and is not stored by caches.
 */
public final class ConsoleEndpoints implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ASSETS = Map.of(
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    private final Map<String, byte[]> assets;
    private final byte[] page;
    private final GatewayProbe probe = new GatewayProbe();
    private final MeshSnapshot snapshot;
    private final ConsoleActions actions;

    /**
     * @param edgeView what the edge knows itself: {@code edge} (its config, limits, errors),
     *                 {@code conflicts}, {@code claims} (domain to owned prefixes), {@code failover}
     * @param edgeSelf the edge's own admin port as a registration, for {@code target=edge}
     */
    public ConsoleEndpoints(Discovery discovery, AdminToken token, Supplier<Map<String, Object>> edgeView,
                            Supplier<Registration> edgeSelf) {
        this.page = resource("index.html");
        this.assets = Map.of("console.js", resource("console.js"), "console.css", resource("console.css"));
        this.snapshot = new MeshSnapshot(discovery, edgeView, probe);
        this.actions = new ConsoleActions(token, discovery, edgeSelf, probe);
    }

    private static byte[] resource(String name) {
        try (InputStream in = ConsoleEndpoints.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console/" + name + " is missing from the edge's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void register(HttpRouting.Builder routing) {
        routing.any("/console", only(Method.GET, (req, res) -> send(req, res, "text/html; charset=utf-8", page)))
                .any("/console/", only(Method.GET, (req, res) -> send(req, res, "text/html; charset=utf-8", page)))
                .any("/console/assets/{file}", only(Method.GET, this::asset))
                .any("/console/api/state", only(Method.GET, (req, res) -> {
                    try {
                        send(req, res, "application/json", JSON.writeValueAsBytes(snapshot.state()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }))
                .any("/console/api/reload", only(Method.POST, actions::reload))
                .any("/console/api/cache", only(Method.DELETE, actions::purgeCache));
    }

    private void asset(ServerRequest req, ServerResponse res) {
        String file = req.path().pathParameters().first("file").orElse("");
        byte[] body = assets.get(file);
        if (body == null) {
            Problem.send(res, 404, "Not Found", "no such console asset", RequestIds.resolve(req.headers()));
            return;
        }
        send(req, res, ASSETS.get(file), body);
    }

    /** Only {@code method} (and HEAD beside GET); anything else is a 405 problem naming what is allowed. */
    private static Handler only(Method method, Handler handler) {
        return (req, res) -> {
            headers(res);
            Method m = req.prologue().method();
            if (m == method || (method == Method.GET && m == Method.HEAD)) {
                handler.handle(req, res);
                return;
            }
            String allowed = method == Method.GET ? "GET, HEAD" : method.text();
            res.header(HeaderNames.ALLOW, allowed);
            Problem.send(res, 405, "Method Not Allowed", "allowed here: " + allowed,
                    RequestIds.resolve(req.headers()));
        };
    }

    private static ServerResponse headers(ServerResponse res) {
        res.header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none';"
                + " form-action 'none'");
        res.header("X-Frame-Options", "DENY");
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Referrer-Policy", "no-referrer");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        return res;
    }

    private static void send(ServerRequest req, ServerResponse res, String type, byte[] body) {
        res.header(HeaderNames.CONTENT_TYPE, type);
        if (req.prologue().method() == Method.HEAD) {
            res.header(HeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
            res.send();
        } else {
            res.send(body);
        }
    }

    @Override
    public void close() {
        probe.close();
    }
}
