package io.concierge.demo.support;

import java.lang.System.Logger.Level;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.helidon.http.DirectHandler;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;

/**
 * Starts a demo service: its routes plus what every service shares — {@code GET /health},
 * problem responses for thrown {@link ProblemException}s, a problem 404 for unknown paths, and a
 * bounded request body.
 */
public final class DemoServer {
    /** Large enough for any demo request; bounds the memory a single request can take. */
    public static final long MAX_PAYLOAD_BYTES = 64 * 1024;

    /** The body of {@code GET /health}; a record so the field order is fixed. */
    private record Health(String status, String service) {
    }

    private static final System.Logger LOGGER = System.getLogger(DemoServer.class.getName());

    private DemoServer() {
    }

    /**
     * Starts the service and prints {@code <service> service listening on http://<host>:<port>}
     * with the port actually bound (useful with port 0).
     *
     * @param service short name used in the health response and the start-up line, e.g. "users"
     * @param host    bind address
     * @param port    port to bind, 0 for any free port
     * @param routes  the service's own routes
     * @return the running server; stop it with {@link WebServer#stop()}
     * @throws StartFailure if the port cannot be bound
     */
    public static WebServer start(String service, String host, int port, Consumer<HttpRouting.Builder> routes) {
        LogConfig.configureRuntime();
        Health health = new Health("UP", service);
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .maxPayloadSize(MAX_PAYLOAD_BYTES)
                .directHandlers(DemoServer::problemsForRejectedRequests)
                .routing(routing -> {
                    routing.get("/health", (req, res) -> JsonResponses.ok(res, health));
                    routes.accept(routing);
                    // Registered last, so it only sees requests no service route matched.
                    routing.any((req, res) -> JsonResponses.problem(res, Status.NOT_FOUND_404,
                            "No resource at this path"));
                    routing.error(ProblemException.class, (req, res, e) -> JsonResponses.problem(res, e));
                    routing.error(HttpException.class, (req, res, e) -> JsonResponses.problem(res, e.status(),
                            e.status().code() < 500 ? e.status().reasonPhrase() : "The service failed"));
                    routing.error(RuntimeException.class, (req, res, e) -> {
                        // A bug, not bad input: log it here and tell the client nothing internal.
                        LOGGER.log(Level.ERROR, service + " service failed on " + req.prologue().method()
                                + " " + req.path().path(), e);
                        JsonResponses.problem(res, Status.INTERNAL_SERVER_ERROR_500, "The service failed");
                    });
                })
                .build()
                .start();
        if (!server.isRunning()) {
            // Helidon logs the cause (usually "Address already in use") and returns a stopped server.
            throw new StartFailure(service + " service could not listen on " + urlHost(host) + ":" + port);
        }
        System.out.println(service + " service listening on http://" + urlHost(host) + ":" + server.port());
        return server;
    }

    /**
     * Runs a service's {@code main}: a configuration error (bad port variable, port in use) ends
     * the process with exit code 2 and a line that names the problem, so a launcher can report it.
     */
    public static void runMain(String service, Supplier<WebServer> starter) {
        try {
            starter.get();
        } catch (IllegalArgumentException | StartFailure e) {
            System.err.println(service + " service cannot start: " + e.getMessage());
            System.exit(2);
        }
    }

    /** The server could not start, e.g. because its port is taken. */
    public static final class StartFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StartFailure(String message) {
            super(message);
        }
    }

    private static void problemsForRejectedRequests(DirectHandlers.Builder handlers) {
        ProblemDirectHandler handler = new ProblemDirectHandler();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            handlers.addHandler(type, handler);
        }
    }

    private static String urlHost(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
