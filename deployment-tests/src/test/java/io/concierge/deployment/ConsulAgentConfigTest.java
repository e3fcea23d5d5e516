package io.concierge.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * consul/agent.json, the agent configuration compose mounts, checked against Consul's documented
 * schema (https://developer.hashicorp.com/consul/docs/services/usage/define-services: several services
 * in one file go in the plural {@code services} list; a singular {@code service} takes one
 * definition, which is why four {@code service} blocks in HCL stopped the agent) and against what
 * the demo runs (compose/demo.sh's ports).
 */
class ConsulAgentConfigTest {
    private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Test
    void theAgentConfigurationIsJsonWithAServicesList() throws Exception {
        assertFalse(Files.exists(Checkout.path("consul/agent.hcl")),
                "consul/agent.hcl is replaced by consul/agent.json; two agent configs would both be read");
        JsonNode agent = new ObjectMapper().readTree(Checkout.path("consul/agent.json").toFile());
        assertFalse(agent.has("service"), "a singular 'service' takes one definition; use 'services'");
        assertTrue(agent.path("services").isArray(), "'services' must be a list");
        // Loopback only, as every other part of the demo; one server that elects itself.
        assertEquals("127.0.0.1", agent.path("bind_addr").asText());
        assertEquals("127.0.0.1", agent.path("client_addr").asText());
        assertTrue(agent.path("server").asBoolean());
        assertEquals(1, agent.path("bootstrap_expect").asInt());
        // The default ports (HTTP 8500 is what CONSUL_HTTP_ADDR points at): no override.
        assertFalse(agent.has("ports"), "compose and the docs assume Consul's default ports");
    }

    @Test
    void everyDemoServiceIsDefinedWithAnHttpCheckOnItsHealth() throws Exception {
        JsonNode services = new ObjectMapper().readTree(Checkout.path("consul/agent.json").toFile()).path("services");
        DemoDefaults demo = DemoDefaults.read();
        Set<String> ids = new HashSet<>();
        for (JsonNode s : services) {
            assertTrue(ids.add(s.path("id").asText()), "service ids must be unique on a node: " + s.path("id"));
            assertFalse(s.path("name").asText().isEmpty(), "every service needs a name: " + s);
            // The gateways register themselves over the HTTP API, with the Meta the edge needs and an
            // id per process; a static definition of them here would be a second, Meta-less entry.
            assertFalse(s.path("name").asText().equals("concierge-gateway"),
                    "gateways register themselves; agent.json must not define them: " + s);
        }
        for (String domain : DemoDefaults.DOMAINS) {
            int port = demo.port(DemoDefaults.SERVICE_PORT_VARIABLES.get(domain));
            String name = domain.substring(0, domain.length() - 1) + "-service"; // users -> user-service
            JsonNode service = find(services, name);
            assertEquals(port, service.path("port").asInt(), name + "'s port differs from compose/demo.sh's default");
            assertEquals("127.0.0.1", service.path("address").asText(), name);
            JsonNode checks = service.path("checks");
            assertTrue(checks.isArray() && checks.size() == 1, name + " needs exactly one check in 'checks': " + service);
            JsonNode check = checks.get(0);
            assertEquals("http://127.0.0.1:" + port + "/health", check.path("http").asText(), name + "'s check URL");
            Duration interval = goDuration(name, check.path("interval").asText());
            Duration timeout = goDuration(name, check.path("timeout").asText());
            assertTrue(timeout.compareTo(interval) < 0, name + ": the check's timeout must be below its interval");
            // Static definitions must not be reaped: the agent would drop a service that is down for a
            // while until its next reload.
            assertFalse(check.has("deregister_critical_service_after"), name + ": a defined service is not reaped");
        }
        assertEquals(DemoDefaults.DOMAINS.size(), services.size(), "one definition per demo service, no others");
    }

    private static JsonNode find(JsonNode services, String name) {
        for (JsonNode s : services) {
            if (name.equals(s.path("name").asText())) {
                return s;
            }
        }
        return fail("consul/agent.json defines no service named " + name);
    }

    /** The subset of Go durations Consul accepts in check intervals: "5s", "1m30s", "500ms". */
    static Duration goDuration(String what, String text) {
        assertNotNull(text, what);
        Matcher m = GO_DURATION.matcher(text);
        int at = 0;
        Duration total = Duration.ZERO;
        Map<String, Duration> unit = Map.of("ms", Duration.ofMillis(1), "s", Duration.ofSeconds(1),
                "m", Duration.ofMinutes(1), "h", Duration.ofHours(1));
        while (m.find() && m.start() == at) {
            total = total.plus(unit.get(m.group(2)).multipliedBy(Long.parseLong(m.group(1))));
            at = m.end();
        }
        assertTrue(at > 0 && at == text.length(), what + ": '" + text + "' is not a Go duration such as 5s");
        return total;
    }
}
