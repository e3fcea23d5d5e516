package io.concierge.demo.users;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import io.concierge.demo.support.ServiceClient;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.concierge.demo.support.ServiceClient.json;
import static io.concierge.demo.support.ServiceClient.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserServiceTest {
    private static final String SECRET = "integration-test-secret-0123456789";

    private static WebServer server;
    private static ServiceClient client;

    @BeforeAll
    static void start() {
        server = UserService.start(0, SECRET);
        client = new ServiceClient(server);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop();
    }

    private static HttpResponse<String> login(String username, String password) {
        return client.post("/api/auth/login",
                "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
    }

    @Test
    void health() {
        JsonNode health = json(client.get("/health"), 200);
        assertEquals("UP", health.path("status").asText());
        assertEquals("users", health.path("service").asText());
    }

    @Test
    void loginIssuesAVerifiableTokenWithTheContractClaims() throws Exception {
        long before = System.currentTimeMillis() / 1000;
        HttpResponse<String> response = login("alice", "alice-pw");
        JsonNode body = json(response, 200);
        assertEquals(3600, body.path("expiresIn").asLong());
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(""));

        JsonNode claims = Jwts.verify(body.path("token").asText(), SECRET);
        assertEquals("1", claims.path("sub").asText());
        assertEquals("customer", claims.path("roles").path(0).asText());
        assertEquals("concierge-demo", claims.path("iss").asText());
        long iat = claims.path("iat").asLong();
        assertTrue(iat >= before && iat <= before + 60, "iat is now");
        assertEquals(iat + 3600, claims.path("exp").asLong());
    }

    @Test
    void adminTokenCarriesTheAdminRole() throws Exception {
        JsonNode claims = Jwts.verify(json(login("admin", "admin-pw"), 200).path("token").asText(), SECRET);
        assertEquals("3", claims.path("sub").asText());
        assertEquals("admin", claims.path("roles").path(0).asText());
        assertEquals(1, claims.path("roles").size());
    }

    @Test
    void badCredentialsAre401WithoutSayingWhichPartWasWrong() {
        JsonNode wrongPassword = problem(login("bob", "alice-pw"), 401);
        JsonNode unknownUser = problem(login("mallory", "bob-pw"), 401);
        assertEquals(wrongPassword.path("detail"), unknownUser.path("detail"));
    }

    @Test
    void incompleteOrMalformedLoginIs400() {
        problem(client.post("/api/auth/login", "{\"username\":\"alice\"}"), 400);
        problem(client.post("/api/auth/login", "{\"username\":\"alice\",\"password\":42}"), 400);
        problem(client.post("/api/auth/login", "{\"username\":\"alice\",\"password\":"), 400);
        problem(client.post("/api/auth/login", ""), 400);
    }

    @Test
    void userById() {
        JsonNode alice = json(client.get("/api/users/1"), 200);
        assertEquals("alice", alice.path("username").asText());
        assertEquals("Alice Anderson", alice.path("name").asText());
        assertEquals("alice@example.com", alice.path("email").asText());
        assertEquals("customer", alice.path("roles").path(0).asText());
    }

    @Test
    void unknownUserIs404() {
        problem(client.get("/api/users/99"), 404);
    }

    @Test
    void listsAllUsersWithoutCredentials() {
        for (String path : new String[] {"/api/users", "/api/admin/users"}) {
            HttpResponse<String> response = client.get(path);
            JsonNode users = json(response, 200);
            assertEquals(3, users.size());
            assertEquals("admin", users.path(2).path("username").asText());
            String body = response.body().toLowerCase();
            assertFalse(body.contains("password") || body.contains("hash") || body.contains("-pw"), body);
        }
    }
}
