package io.concierge.gateway.grpc;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.domainconfig.GatewayConfig;
import io.concierge.gateway.domainconfig.RouteConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gRPC service and route in gateway.yaml: the documented defaults, and every mistake a load error
 * naming the file and YAML path (unknown service, method or field included, checked against the
 * descriptor set at load).
 */
class GrpcConfigTest {

    private static String yaml(String grpcSection, String routeExtra) {
        return """
                domain: test
                prefixes: [/api]
                services:
                  grpc-test:
                    grpc:
                      descriptors: %s
                    instances:
                      - url: http://127.0.0.1:50051
                  http-backend:
                    instances:
                      - url: http://127.0.0.1:3000
                routes:
                  - id: plain
                    match: {path: /api/plain}
                    service: http-backend
                  - id: echo
                    match: {path: "/api/echo/{id}"}
                    service: grpc-test
                %s
                    grpc:
                %s
                """.formatted(TestGrpcService.DESCRIPTORS, indent(routeExtra, "    "), indent(grpcSection, "      "));
    }

    private static String indent(String lines, String prefix) {
        return lines.lines().map(l -> prefix + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    private static GatewayConfig parse(String yaml) {
        return GatewayConfig.parse("test.yaml", yaml, Map.<String, String>of()::get);
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void apiVersionsRefuseGrpcRoutesAndGrpcServices() {
        String base = yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}", "");
        String versionedGrpcRoute = base + """
                versioning:
                  - id: g
                    routes: [echo]
                    default: "1"
                    header: API-Version
                    versions:
                      - version: "1"
                """;
        assertTrue(error(versionedGrpcRoute).startsWith("test.yaml: versioning[0].routes"), error(versionedGrpcRoute));
        String versionOnGrpcService = base + """
                versioning:
                  - id: h
                    routes: [plain]
                    default: "1"
                    header: API-Version
                    versions:
                      - version: "1"
                      - version: "2"
                        service: grpc-test
                """;
        String message = error(versionOnGrpcService);
        assertTrue(message.startsWith("test.yaml: versioning[0].versions[1].service: unknown service 'grpc-test'"), message);
    }

    @Test
    void aGrpcRouteGetsTheDocumentedDefaults() {
        GatewayConfig c = parse(yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}", ""));

        assertTrue(c.services().get("grpc-test").grpc() != null);
        assertFalse(c.services().get("grpc-test").grpc().tls());
        assertNull(c.services().get("http-backend").grpc());
        RouteConfig echo = c.routes().get(1);
        GrpcRouteConfig g = echo.grpc();
        assertEquals("concierge.test.TestService/Echo", g.method());
        assertNull(g.body());
        assertFalse(g.ignoreUnknownQuery());
        assertFalse(g.retryable());
        assertEquals(JsonOptions.DEFAULT, g.json());
        assertEquals(StreamFormat.JSON_ARRAY, g.stream());
        assertNull(c.routes().get(0).grpc());
    }

    @Test
    void anUnknownServiceIsALoadErrorListingTheKnownOnes() {
        assertEquals("test.yaml: routes[1].grpc.method: unknown gRPC service 'concierge.test.Nope' (the descriptor "
                        + "set has: concierge.test.TestService)",
                error(yaml("method: concierge.test.Nope/Echo", "")));
    }

    @Test
    void anUnknownMethodIsALoadErrorListingTheKnownOnes() {
        assertEquals("test.yaml: routes[1].grpc.method: unknown method 'Ech' of concierge.test.TestService "
                        + "(methods: [Echo, Fail, Slow, Count, GetItem, PutItem])",
                error(yaml("method: concierge.test.TestService/Ech", "")));
    }

    @Test
    void aMethodNameWithoutServiceIsALoadError() {
        assertEquals("test.yaml: routes[1].grpc.method: must be package.Service/Method (was 'Echo')",
                error(yaml("method: Echo", "")));
    }

    @Test
    void anUnknownFieldInAQueryMappingIsALoadError() {
        String e = error(yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}\n"
                + "query: {q: inner.nope}", ""));
        assertTrue(e.startsWith("test.yaml: routes[1].grpc.query.q: query parameter 'q': unknown field 'nope' in "
                + "concierge.test.Inner (fields: [label, rank])"), e);
    }

    @Test
    void aPathParameterWithoutAFieldIsALoadError() {
        String e = error(yaml("method: concierge.test.TestService/Echo", ""));
        assertTrue(e.startsWith("test.yaml: routes[1].grpc: path parameter {id}: unknown field 'id' in "
                + "concierge.test.EchoRequest"), e);
    }

    @Test
    void aMappedPathParameterTheRouteDoesNotHaveIsALoadError() {
        assertEquals("test.yaml: routes[1].grpc.path-params.other: the route's path has no {other} (it has [id])",
                error(yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id, other: text}", "")));
    }

    @Test
    void aMessageFieldCannotTakeAQueryValue() {
        assertEquals("test.yaml: routes[1].grpc.query.i: query parameter 'i': 'inner' is a message field; map a "
                        + "scalar field inside it",
                error(yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}\nquery: {i: inner}", "")));
    }

    @Test
    void aBodyFieldMustBeAMessageField() {
        assertEquals("test.yaml: routes[1].grpc.body: 'text' is not a message field of concierge.test.EchoRequest "
                        + "(use \"*\" for the whole request message)",
                error(yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}\nbody: text", "")));
    }

    @Test
    void badJsonOptionsAndStreamFormatAreLoadErrors() {
        assertEquals("test.yaml: routes[1].grpc.json.int64: must be strings or numbers (was 'text')",
                error(yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}\njson: {int64: text}", "")));
        assertEquals("test.yaml: routes[1].grpc.stream: must be json-array or ndjson (was 'sse')",
                error(yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}\nstream: sse", "")));
    }

    @Test
    void aGrpcRouteNeedsAGrpcServiceAndAGrpcServiceOnlyGrpcRoutes() {
        String onHttp = yaml("method: concierge.test.TestService/Echo", "").replace("service: grpc-test",
                "service: http-backend");
        assertEquals("test.yaml: routes[1].grpc: service 'http-backend' is not a gRPC service (it has no grpc section)",
                error(onHttp));
        String plainOnGrpc = yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}", "")
                .replace("service: http-backend", "service: grpc-test");
        assertEquals("test.yaml: routes[0].service: 'grpc-test' is a gRPC service; the route needs a grpc section "
                + "(docs/grpc.md)", error(plainOnGrpc));
    }

    @Test
    void aMissingDescriptorSetIsALoadErrorNamingTheFile() {
        String e = error(yaml("method: concierge.test.TestService/Echo", "").replace(
                TestGrpcService.DESCRIPTORS.toString(), "/nonexistent/x.pb"));
        assertTrue(e.startsWith("test.yaml: services.grpc-test.grpc.descriptors: cannot read descriptor set "
                + "/nonexistent/x.pb"), e);
    }

    @Test
    void aRewriteOnAGrpcRouteIsALoadError() {
        assertEquals("test.yaml: routes[1].rewrite: a gRPC route has no upstream path to rewrite",
                error(yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}",
                        "rewrite: {strip-prefix: /api}")));
    }

    @Test
    void withoutAnExplicitMappingTheMethodsGoogleApiHttpOptionMapsPathAndBody() {
        String yaml = yaml("method: concierge.test.TestService/PutItem", "").replace("/api/echo/{id}", "/api/items/{id}");
        GatewayConfig c = parse(yaml);
        assertEquals("concierge.test.TestService/PutItem", c.routes().get(1).grpc().method());
    }

    @Test
    void aRoutePathThatIsNotTheGoogleApiHttpPathIsALoadError() {
        assertEquals("test.yaml: routes[1].grpc.method: the route's path /api/echo/{id} is not the method's "
                        + "google.api.http path /api/items/{item_id}",
                error(yaml("method: concierge.test.TestService/PutItem", "")));
    }

    @Test
    void aRouteMethodThatIsNotTheGoogleApiHttpVerbIsALoadError() {
        String yaml = yaml("method: concierge.test.TestService/PutItem", "").replace("match: {path: \"/api/echo/{id}\"}",
                "match: {path: \"/api/items/{id}\", methods: [GET]}");
        assertEquals("test.yaml: routes[1].grpc.method: the method's google.api.http verb is PUT but the route "
                + "matches [GET]", error(yaml));
    }

    @Test
    void aPolicyAGrpcServiceDoesNotApplyIsALoadErrorNotIgnored() {
        String breaker = yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}", "").replace(
                "      - url: http://127.0.0.1:50051", "      - url: http://127.0.0.1:50051\n    resilience:\n"
                        + "      bulkhead: {max-concurrent: 20}");
        assertEquals("test.yaml: services.grpc-test.resilience.bulkhead: not applied to gRPC services yet "
                + "(docs/grpc.md); deadline, retry and circuit-breaker are", error(breaker));
        String weighted = yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}", "").replace(
                "    grpc:\n      descriptors", "    load-balancing: weighted\n    grpc:\n      descriptors");
        assertEquals(io.concierge.gateway.config.LoadBalancing.WEIGHTED,
                parse(weighted).services().get("grpc-test").loadBalancing(), "balancing applies to gRPC services");
    }

    @Test
    void metadataNamesGrpcReservesAreLoadErrors() {
        assertEquals("test.yaml: routes[1].grpc.metadata.request[1]: 'grpc-timeout' cannot be passed as gRPC "
                        + "metadata (a header token, not grpc-*, *-bin, content-type, te, host, connection, user-agent, "
                        + "content-length, transfer-encoding)",
                error(yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}\n"
                        + "metadata: {request: [x-tenant, grpc-timeout]}", "")));
        assertTrue(error(yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}\n"
                + "metadata: {response: [\":path\"]}", "")).startsWith("test.yaml: routes[1].grpc.metadata.response[0]: "));
    }

    @Test
    void unknownKeysInTheGrpcSectionsAreLoadErrors() {
        String e = error(yaml("method: concierge.test.TestService/Echo\npath-params: {id: item_id}\nbodyy: \"*\"", ""));
        assertTrue(e.startsWith("test.yaml: routes[1].grpc.bodyy: unknown key"), e);
    }
}
