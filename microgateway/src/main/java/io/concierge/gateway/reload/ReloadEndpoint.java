package io.concierge.gateway.reload;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.requestid.RequestIds;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /admin/reload} on the admin port (the admin token is checked before this runs):
 * reloads the configuration file now and answers with the outcome. 200 with the {@code config}
 * section when it was applied or unchanged; 422 problem (the error names file and YAML path) when
 * the file is invalid or its generation could not be built; 409 problem when the change needs a
 * restart or the server has no file. The request body is ignored.
 */
public final class ReloadEndpoint implements Handler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "https://concierge.dev/problems/config-reload";

    private final ConfigReloads<?> reloads;

    public ReloadEndpoint(ConfigReloads<?> reloads) {
        this.reloads = reloads;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        String requestId = RequestIds.resolve(req.headers());
        if (reloads.file() == null) {
            Problem.send(res, TYPE, 409, "Conflict", "no config file: this server was not started from a file",
                    requestId, n -> n.put("result", ReloadResult.FAILED.label()));
            return;
        }
        ReloadOutcome outcome = reloads.reload("admin");
        switch (outcome.result()) {
            case APPLIED, UNCHANGED -> {
                Map<String, Object> body = reloads.describe();
                body.put("result", outcome.result().label());
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.header(HeaderNames.CACHE_CONTROL, "no-store");
                try {
                    res.send(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            case REFUSED -> Problem.send(res, TYPE, 409, "Conflict", outcome.error(), requestId,
                    n -> n.put("result", outcome.result().label()));
            case INVALID, FAILED -> Problem.send(res, TYPE, 422, "Unprocessable Content", outcome.error(), requestId,
                    n -> n.put("result", outcome.result().label()));
        }
    }
}
