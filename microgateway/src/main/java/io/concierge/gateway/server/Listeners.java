package io.concierge.gateway.server;

import io.concierge.gateway.config.ServerLimits;
import io.concierge.gateway.problem.ProblemDirectHandler;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;

/** Applies the protocol limits shared by the edge and every gateway to a server builder. */
public final class Listeners {
    private Listeners() {
    }

    public static void applyLimits(WebServerConfig.Builder builder, ServerLimits limits) {
        builder.addProtocol(Http1Config.builder()
                        .maxHeadersSize(limits.maxHeaderSize())
                        .maxPrologueLength(limits.maxUriLength())
                        .build())
                .connectionOptions(o -> o.readTimeout(limits.readTimeout()).tcpNoDelay(true))
                .directHandlers(ProblemDirectHandler.handlers())
                .shutdownHook(false);
    }
}
