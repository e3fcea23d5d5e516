package io.concierge.edge.console;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.discovery.Registration;

/**
 * Calls gateways' admin ports for the console: {@code GET /admin} and {@code GET /metrics} of one
 * instance at once, each bounded by {@link #TIMEOUT} (connect and answer), and forwards the
 * console's actions. Only addresses from discovery are ever called; a client never chooses one.
 */
final class GatewayProbe implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofMillis(800);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).executor(executor)
            .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();

    /** One instance's answers: {@code admin} and {@code metrics} are null when {@code error} says why. */
    record Result(JsonNode admin, MetricsDigest metrics, String error) {
        boolean up() {
            return error == null;
        }
    }

    /** Starts the two calls; the future always completes (an unreachable instance gives an error result). */
    CompletableFuture<Result> probe(Registration r) {
        if (r.adminPort() <= 0) {
            return CompletableFuture.completedFuture(new Result(null, null,
                    "no admin port registered (static discovery)"));
        }
        CompletableFuture<HttpResponse<String>> admin = get(r, "/admin");
        CompletableFuture<HttpResponse<String>> metrics = get(r, "/metrics");
        return admin.thenCombine(metrics, (a, m) -> {
            if (a.statusCode() != 200 || m.statusCode() != 200) {
                return new Result(null, null, "admin answered " + a.statusCode() + ", metrics " + m.statusCode());
            }
            try {
                return new Result(JSON.readTree(a.body()), MetricsDigest.parse(m.body()), null);
            } catch (IOException e) {
                return new Result(null, null, "unreadable /admin: " + e.getClass().getSimpleName());
            }
        }).exceptionally(t -> new Result(null, null, reason(t)));
    }

    private CompletableFuture<HttpResponse<String>> get(Registration r, String path) {
        HttpRequest req = HttpRequest.newBuilder(adminUri(r, path)).timeout(TIMEOUT).GET().build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    }

    /** Forwards an action to an instance's admin port with the caller's Authorization header and request id. */
    HttpResponse<String> forward(Registration r, String method, String pathAndQuery, String authorization,
                                 String requestId) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(adminUri(r, pathAndQuery)).timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody()).header("X-Request-Id", requestId);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI adminUri(Registration r, String pathAndQuery) {
        String host = r.host().indexOf(':') >= 0 && !r.host().startsWith("[") ? "[" + r.host() + "]" : r.host();
        return URI.create("http://" + host + ":" + r.adminPort() + pathAndQuery);
    }

    static String reason(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException
                || c.getCause() instanceof ConnectException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof HttpTimeoutException) {
            return "no answer within " + TIMEOUT.toMillis() + " ms";
        }
        if (c instanceof ConnectException) {
            return "connection refused";
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    @Override
    public void close() {
        // Not waiting: a call in flight is bounded anyway and its answer is no longer wanted.
        http.shutdownNow();
        executor.shutdownNow();
    }
}
