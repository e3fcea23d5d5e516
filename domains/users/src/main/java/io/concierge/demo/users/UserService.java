package io.concierge.demo.users;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.concierge.demo.support.DemoServer;
import io.concierge.demo.support.JsonBody;
import io.concierge.demo.support.JsonResponses;
import io.concierge.demo.support.ProblemException;
import io.concierge.demo.support.ServiceEnvironment;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The users domain's demo service: login (issues JWTs) and user profiles. Access control is the
 * gateway's job; this service answers whatever reaches it.
 */
public final class UserService {
    public static final String NAME = "users";
    public static final String PORT_VARIABLE = "USER_SERVICE_PORT";
    public static final int DEFAULT_PORT = 3001;

    private final UserDirectory users;
    private final JwtIssuer tokens;

    private UserService(UserDirectory users, JwtIssuer tokens) {
        this.users = users;
        this.tokens = tokens;
    }

    public static void main(String[] args) {
        DemoServer.runMain(NAME, () -> start(ServiceEnvironment.port(PORT_VARIABLE, DEFAULT_PORT)));
    }

    /** Starts on {@code port} (0: any free port), signing tokens with {@code JWT_SECRET}. */
    public static WebServer start(int port) {
        return start(port, JwtIssuer.secretFromEnvironment());
    }

    /** Starts on {@code port} (0: any free port), signing tokens with {@code jwtSecret}. */
    public static WebServer start(int port, String jwtSecret) {
        UserService service = new UserService(UserDirectory.demo(), new JwtIssuer(jwtSecret));
        return DemoServer.start(NAME, ServiceEnvironment.host(), port, service::routes);
    }

    private void routes(HttpRouting.Builder routing) {
        routing.post("/api/auth/login", this::login)
                .get("/api/users", (req, res) -> JsonResponses.ok(res, users.all()))
                .get("/api/users/{id}", this::user)
                .get("/api/admin/users", (req, res) -> JsonResponses.ok(res, users.all()));
    }

    private void login(ServerRequest req, ServerResponse res) {
        JsonBody body = JsonBody.read(req);
        String username = body.text("username", 64);
        String password = body.text("password", 256);
        User user = users.authenticate(username, password)
                .orElseThrow(() -> ProblemException.unauthorized("Invalid username or password"));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("token", tokens.issue(user, Instant.now()));
        result.put("expiresIn", JwtIssuer.LIFETIME.toSeconds());
        // A bearer token must not end up in a shared cache (RFC 6749 §5.1 asks the same).
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        JsonResponses.ok(res, result);
    }

    private void user(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        JsonResponses.ok(res, users.find(id).orElseThrow(() -> ProblemException.notFound("No user with this id")));
    }
}
