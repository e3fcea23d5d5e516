package io.concierge.gateway.security;

import java.util.logging.Level;
import java.util.logging.Logger;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.problem.Problem;
import io.helidon.http.HeaderNames;

/**
 * Answers refused requests: problem+json with the RFC 6750 challenge on 401 (and on 403 for a
 * missing scope), the reason counted and logged. What is logged is the reason, route, client and
 * request id; never a token or key, not even a part of one.
 */
final class Rejections {
    private static final Logger LOG = Logger.getLogger("io.concierge.gateway.security.Access");

    private final String owner;
    private final SecurityStats stats;

    /** @param owner the domain (the challenge's realm) or {@code edge} */
    Rejections(String owner, SecurityStats stats) {
        this.owner = owner;
        this.stats = stats;
    }

    SecurityStats stats() {
        return stats;
    }

    /**
     * @param logDetail extra words for the log line (issuer, consumer, client), never a credential
     * @param challenges WWW-Authenticate values for a 401 (or a 403 insufficient_scope), or null
     */
    void refuse(Exchange exchange, Rejection r, String logDetail, String[] challenges) {
        stats.rejected(r);
        // A request without credentials is routine (a browser before login); everything else is worth a line.
        Level level = r == Rejection.MISSING_CREDENTIALS ? Level.FINE : Level.INFO;
        if (LOG.isLoggable(level)) {
            LOG.log(level, owner + ": " + r.status() + " " + r.metricName() + " route=" + exchange.routeId()
                    + " client=" + exchange.clientIp() + " request=" + exchange.requestId()
                    + (logDetail == null ? "" : " " + logDetail));
        }
        if (challenges != null) {
            for (String c : challenges) {
                exchange.response().headers().add(HeaderNames.WWW_AUTHENTICATE, c);
            }
        }
        Problem.send(exchange.response(), r.status(), r.status() == 401 ? "Unauthorized" : "Forbidden", r.detail(),
                exchange.requestId());
    }

    String realm() {
        return owner;
    }
}
