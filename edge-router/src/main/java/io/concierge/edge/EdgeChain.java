package io.concierge.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.concierge.edge.protection.CorsStep;
import io.concierge.edge.protection.EdgeProtectionConfig;
import io.concierge.edge.protection.SecurityHeadersStep;
import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.ratelimit.RateLimitStep;
import io.concierge.gateway.security.SecuritySteps;
import io.concierge.gateway.server.AdmissionStep;
import io.concierge.gateway.server.HealthStep;
import io.concierge.gateway.server.RequestIdStep;
import io.concierge.gateway.server.ServerRuntime;
import io.helidon.webserver.http.ServerResponse;

/**
 * The edge's request chain, assembled in one place like a gateway's ({@code RouteChains}): the
 * shared front steps, the edge's protection, the edge-wide limits, then dispatch. A chain holds
 * only the steps {@code edge.yaml} asks for.
 *
 * <pre>
 * request id → admission → /health → security headers → client IP → IP lists → CORS → body limit
 * → edge rate limits → dispatch (prefix → the domain's instances, failover, upstream)
 * </pre>
 *
 * The security headers come first after /health, so every answer after them carries them:
 * refusals and preflights too. The client IP step always runs, even without trusted proxies: the
 * edge is the trust boundary, so every other client's forwarding headers are dropped there.
 */
final class EdgeChain {
    private EdgeChain() {
    }

    /**
     * @param publicHealth the public port's {@code /health} answer (status only)
     * @param dispatch     the terminal step: longest-prefix dispatch to a live instance of the owning
     *                     domain's gateway, and the upstream call with the edge's failover
     */
    static Chain build(EdgeConfig config, ServerRuntime runtime, Consumer<ServerResponse> publicHealth, Step dispatch) {
        EdgeProtectionConfig protection = config.protection();
        List<Step> steps = new ArrayList<>();
        steps.add(new RequestIdStep());
        steps.add(new AdmissionStep(config.limits().allowEncodedSlash()));
        steps.add(new HealthStep(publicHealth));
        if (protection.headers().sendsAny()) {
            steps.add(new SecurityHeadersStep(protection.headers()));
        }
        steps.add(SecuritySteps.clientIp(protection.trustedProxies(), true));
        if (!protection.ipAllow().isEmpty() || !protection.ipDeny().isEmpty()) {
            steps.add(SecuritySteps.ipList(protection.ipAllow(), protection.ipDeny(), runtime.securityStats()));
        }
        if (protection.cors() != null) {
            steps.add(new CorsStep(protection.cors(), runtime.securityStats()));
        }
        if (protection.maxBodySize() >= 0) {
            steps.add(SecuritySteps.bodyLimit(protection.maxBodySize(), runtime.securityStats()));
        }
        if (!config.rateLimits().isEmpty()) {
            steps.add(RateLimitStep.forEdge(config.rateLimits(), runtime.rateLimiting()));
        }
        steps.add(dispatch);
        return Chain.of(steps);
    }
}
