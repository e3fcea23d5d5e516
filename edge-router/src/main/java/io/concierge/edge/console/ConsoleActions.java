package io.concierge.edge.console;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.concierge.gateway.admin.AdminToken;
import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.Registration;
import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.requestid.RequestIds;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The console's two writes, each forwarded to an admin port with the caller's
 * {@code Authorization} header: {@code POST /console/api/reload?instance=<id>} (or
 * {@code ?target=edge}) to {@code POST /admin/reload}, and
 * {@code DELETE /console/api/cache?domain=<d>&prefix=<p>} to a domain instance's
 * {@code DELETE /admin/cache?prefix=}. The edge checks the token itself first (403 without
 * {@code ADMIN_TOKEN}, 401 wrong), so nothing is forwarded for a caller it would refuse; the
 * target is always an instance found in discovery (or the edge itself), never an address the
 * client names. The target's status and body are relayed as they are.
 */
final class ConsoleActions {
    static final String EDGE = "edge";
    private static final int MAX_PARAM = 512;

    private final AdminToken token;
    private final Discovery discovery;
    private final Supplier<Registration> edgeSelf;
    private final GatewayProbe probe;

    ConsoleActions(AdminToken token, Discovery discovery, Supplier<Registration> edgeSelf, GatewayProbe probe) {
        this.token = token;
        this.discovery = discovery;
        this.edgeSelf = edgeSelf;
        this.probe = probe;
    }

    void reload(ServerRequest req, ServerResponse res) {
        String requestId = RequestIds.resolve(req.headers());
        if (!token.permits(req, res)) {
            return;
        }
        String instance = param(req, "instance");
        String target = param(req, "target");
        if ((instance == null) == (target == null) || (target != null && !target.equals(EDGE))) {
            Problem.send(res, 400, "Bad Request", "give either instance=<instance id> or target=edge", requestId);
            return;
        }
        Registration r;
        if (target != null) {
            r = edgeSelf.get();
        } else {
            r = discovery.snapshot().stream().filter(x -> x.instanceId().equals(instance)).findFirst().orElse(null);
            if (r == null) {
                Problem.send(res, 404, "Not Found", "no registered gateway instance '" + instance + "'", requestId);
                return;
            }
        }
        forward(req, res, List.of(r), "POST", "/admin/reload", requestId);
    }

    void purgeCache(ServerRequest req, ServerResponse res) {
        String requestId = RequestIds.resolve(req.headers());
        if (!token.permits(req, res)) {
            return;
        }
        String domain = param(req, "domain");
        String prefix = param(req, "prefix");
        if (domain == null || prefix == null || !prefix.startsWith("/") || hasControl(prefix)) {
            Problem.send(res, 400, "Bad Request", "give domain=<domain> and prefix=<path starting with '/'>",
                    requestId);
            return;
        }
        List<Registration> instances = new ArrayList<>();
        for (Registration r : discovery.snapshot()) {
            if (r.domain().equals(domain) && r.adminPort() > 0) {
                instances.add(r);
            }
        }
        if (instances.isEmpty()) {
            Problem.send(res, 404, "Not Found", "no registered instance of domain '" + domain + "'", requestId);
            return;
        }
        // The cache is the domain's, shared by its instances: one that answers purges for all.
        forward(req, res, instances, "DELETE", "/admin/cache?prefix=" + URLEncoder.encode(prefix,
                StandardCharsets.UTF_8), requestId);
    }

    private void forward(ServerRequest req, ServerResponse res, List<Registration> candidates, String method,
                         String pathAndQuery, String requestId) {
        String auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        String failure = null;
        for (Registration r : candidates) {
            try {
                HttpResponse<String> answer = probe.forward(r, method, pathAndQuery, auth, requestId);
                res.status(Status.create(answer.statusCode()));
                String type = answer.headers().firstValue("Content-Type").orElse("");
                res.header(HeaderNames.CONTENT_TYPE, type.startsWith("application/") ? type : "text/plain");
                res.header(HeaderNames.CACHE_CONTROL, "no-store");
                res.send(answer.body().getBytes(StandardCharsets.UTF_8));
                return;
            } catch (IllegalArgumentException e) {
                // A header value the HTTP client refuses to send; the token check passed, so rare.
                Problem.send(res, 400, "Bad Request", "the Authorization header cannot be forwarded", requestId);
                return;
            } catch (IOException e) {
                failure = r.instanceId() + ": " + GatewayProbe.reason(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "interrupted";
                break;
            }
        }
        Problem.send(res, 502, "Bad Gateway", "the admin port did not answer (" + failure + ")", requestId);
    }

    private static String param(ServerRequest req, String name) {
        if (!req.query().contains(name)) {
            return null;
        }
        String v = req.query().get(name);
        return v.isEmpty() || v.length() > MAX_PARAM ? null : v;
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
