package io.concierge.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.consul.testing.ConsulAgentStandIn;
import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireUpstream;

/** The stand-in itself keeps Consul's documented semantics (see its class comment for the pages). */
class ConsulAgentStandInTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final WireUpstream health = WireUpstream.start(r -> UpstreamReply.text(200, "UP"));
    private ConsulAgentStandIn agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        health.close();
        http.close();
    }

    @Test
    void healthEntriesFollowTheCheckAndCarryTheIndex() throws Exception {
        agent = ConsulAgentStandIn.start();
        health.respondWith(r -> UpstreamReply.status(503));
        assertEquals(200, put("/v1/agent/service/register", registration("web-1", "10s")).statusCode());
        // A new check starts critical (and stays so while the URL fails): ?passing hides the instance.
        Poll.until("the check polled the health URL", Duration.ofSeconds(30), () -> health.requestCount() > 0);
        assertEquals("critical", agent.checkStatus("web-1"));
        assertEquals(0, entries(get("/v1/health/service/web?passing")).size());
        HttpResponse<String> all = get("/v1/health/service/web");
        assertEquals(200, all.statusCode());
        List<Map<String, Object>> entries = entries(all);
        assertEquals(1, entries.size());
        assertEquals(List.of("Node", "Service", "Checks"), List.copyOf(entries.get(0).keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Object> service = (Map<String, Object>) entries.get(0).get("Service");
        assertEquals("web-1", service.get("ID"));
        assertEquals("web", service.get("Service"));
        assertEquals(8080, service.get("Port"));
        assertEquals(Map.of("version", "1"), service.get("Meta"));
        long index = Long.parseLong(all.headers().firstValue("X-Consul-Index").orElseThrow());
        assertTrue(index > 0);

        health.respondWith(r -> UpstreamReply.text(200, "UP"));
        Poll.until("the HTTP check polled the health URL and passed", Duration.ofSeconds(30),
                () -> "passing".equals(agent.checkStatus("web-1")));
        HttpResponse<String> passing = get("/v1/health/service/web?passing");
        assertEquals(1, entries(passing).size());
        assertTrue(Long.parseLong(passing.headers().firstValue("X-Consul-Index").orElseThrow()) > index);

        health.respondWith(r -> UpstreamReply.status(500));
        Poll.until("the check turned critical", Duration.ofSeconds(30), () -> "critical".equals(agent.checkStatus("web-1")));
        assertEquals(0, entries(get("/v1/health/service/web?passing")).size());
        assertEquals(1, entries(get("/v1/health/service/web")).size());
    }

    @Test
    void aBlockingQueryReturnsOnChangeOrWhenTheWaitElapses() throws Exception {
        agent = ConsulAgentStandIn.start();
        put("/v1/agent/service/register", registration("web-1", "10s"));
        // Settled first: a passing check changes nothing more, so only the registration below can wake the query.
        Poll.until("web-1 passing", Duration.ofSeconds(30), () -> "passing".equals(agent.checkStatus("web-1")));
        HttpResponse<String> first = get("/v1/health/service/web");
        String index = first.headers().firstValue("X-Consul-Index").orElseThrow();

        // No change: the same index comes back once the (short) wait is over.
        HttpResponse<String> idle = get("/v1/health/service/web?index=" + index + "&wait=100ms");
        assertEquals(index, idle.headers().firstValue("X-Consul-Index").orElseThrow());

        // A change wakes a query that would otherwise hang for 30 s.
        CompletableFuture<HttpResponse<String>> blocked = http.sendAsync(
                HttpRequest.newBuilder(URI.create(agent.address() + "/v1/health/service/web?index=" + index + "&wait=30s"))
                        .build(), HttpResponse.BodyHandlers.ofString());
        Poll.until("the query is waiting at the agent", Duration.ofSeconds(10),
                () -> agent.requests().stream().anyMatch(r -> "30s".equals(r.query().get("wait"))));
        assertTrue(!blocked.isDone());
        put("/v1/agent/service/register", registration("web-2", "10s"));
        Poll.until("the blocked query answered after the change", Duration.ofSeconds(10), blocked::isDone);
        HttpResponse<String> woke = blocked.get();
        assertTrue(Long.parseLong(woke.headers().firstValue("X-Consul-Index").orElseThrow()) > Long.parseLong(index));
        assertEquals(2, entries(woke).size());
    }

    @Test
    void aServiceCriticalForLongerThanDeregisterCriticalServiceAfterIsReaped() throws Exception {
        agent = ConsulAgentStandIn.builder().deregisterFloor(Duration.ZERO).reapInterval(Duration.ofMillis(100)).start();
        health.respondWith(r -> UpstreamReply.status(503));
        put("/v1/agent/service/register", registration("web-1", "300ms"));
        assertEquals(List.of("web-1"), agent.serviceIds());
        Poll.until("the agent reaped the critical service", Duration.ofSeconds(30), () -> agent.serviceIds().isEmpty());
        assertEquals(404, get("/v1/agent/service/web-1").statusCode());
        assertEquals(404, put("/v1/agent/service/deregister/web-1", "").statusCode());
    }

    @Test
    void withAclsEveryCallNeedsTheToken() throws Exception {
        agent = ConsulAgentStandIn.builder().aclToken("s3cret").start();
        HttpResponse<String> none = put("/v1/agent/service/register", registration("web-1", "10s"));
        assertEquals(403, none.statusCode());
        assertEquals("Permission denied", none.body());
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(agent.address() + "/v1/health/service/web"))
                .header("X-Consul-Token", "nope").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, wrong.statusCode());
        assertEquals("ACL not found", wrong.body());
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(agent.address() + "/v1/agent/service/register"))
                .header("X-Consul-Token", "s3cret").PUT(HttpRequest.BodyPublishers.ofString(registration("web-1", "10s")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode());
        assertEquals(List.of("web-1"), agent.serviceIds());
    }

    private String registration(String id, String deregisterAfter) {
        return """
                {"ID": "%s", "Name": "web", "Address": "127.0.0.1", "Port": 8080, "Meta": {"version": "1"},
                 "Check": {"HTTP": "%s/health", "Interval": "100ms", "Timeout": "1s",
                           "DeregisterCriticalServiceAfter": "%s"}}
                """.formatted(id, health.url(), deregisterAfter);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(agent.address() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> put(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(agent.address() + path))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<Map<String, Object>> entries(HttpResponse<String> r) throws Exception {
        return JSON.readValue(r.body(), new TypeReference<>() { });
    }
}
