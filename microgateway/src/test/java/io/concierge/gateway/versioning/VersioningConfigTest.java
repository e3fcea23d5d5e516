package io.concierge.gateway.versioning;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.domainconfig.GatewayConfig;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The config tier: every inconsistent versioning group is a load error naming file and YAML path. */
class VersioningConfigTest {
    private static final String BASE = """
            domain: products
            prefixes: [/api/products, /api/v1/products, /api/v2/products]
            services:
              backend: {instances: [{url: "http://127.0.0.1:1"}]}
            routes:
              - id: list
                match: {path: /api/products}
                service: backend
              - id: param
                match: {path: "/api/products/{x}/items"}
                service: backend
            versioning:
            """;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "default: '1', versions: [{version: '1'}]|versioning[0]: a versioning group needs at least one selector",
        "default: '3', header: V, versions: [{version: '1'}, {version: '2'}]|versioning[0].default: '3' is not one of the versions [1, 2]",
        "default: '1', header: 'Bad Header', versions: [{version: '1'}]|versioning[0].header: 'Bad Header' is not a valid header name",
        "default: '1', media-type: application/vnd.x+json, versions: [{version: '1'}]|versioning[0].media-type: must be a media type with {version} once inside it",
        "default: '1', query: version, versions: [{version: 'v 1'}]|versioning[0].versions[0].version: a version is 1 to 16 letters, digits or '.'",
        "default: '1', query: version, versions: [{version: '1'}, {version: '1'}]|versioning[0].versions[1].version: duplicate version '1'",
        "default: '1', query: version, versions: [{version: '1', deprecated: {since: '2026-12-01T00:00:00Z', successor: '2'}}, {version: '2'}]|versioning[0].versions[0].deprecated.successor: a successor version is linked by its URL, which needs url-prefix",
        "default: '1', url-prefix: /api, versions: [{version: '1', deprecated: {since: '2026-12-01T00:00:00Z', successor: '3'}}, {version: '2'}]|versioning[0].versions[0].deprecated.successor: '3' is not another version of the group",
        "default: '1', url-prefix: /api, versions: [{version: '1', deprecated: {since: yesterday}}]|versioning[0].versions[0].deprecated.since: not an ISO-8601 instant",
        "default: '1', url-prefix: /api, versions: [{version: '1', deprecated: {since: '2026-12-01T00:00:00Z', sunset: '2026-01-01T00:00:00Z'}}]|versioning[0].versions[0].deprecated.sunset: is before 'since'",
        "default: '1', url-prefix: /api, versions: [{version: '1'}, {version: '3'}]|versioning[0].url-prefix: '/api/v3/products' (route 'list', version 3) is outside the domain's prefixes",
        "default: '1', url-prefix: /api/products, versions: [{version: '1'}]|versioning[0].url-prefix: the route 'list' ('/api/products') does not continue below the url-prefix",
        "default: '1', header: V, versions: [{version: '1', transform: {response: {body: [{select: [id]}]}}}]|versioning[0].versions[0].transform.response.body[0].select[0]: 'id' is not a path",
        "default: '1', header: V, versions: [{version: '1', cache: true}]|versioning[0].versions[0].cache: unknown key",
    })
    void badGroupsNameTheirYamlPath(String group, String expected) {
        String yaml = BASE + "  - {id: catalog, routes: [list], " + group + "}\n";
        String message = assertThrows(ConfigException.class, () -> GatewayConfig.parse("g.yaml", yaml, k -> null))
                .getMessage();
        assertTrue(message.startsWith("g.yaml: " + expected), message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "routes: [nope]|versioning[0].routes[0]: unknown route 'nope' (routes: list, param)",
        "routes: [param], url-prefix: /api/products|versioning[0].url-prefix: the route 'param' ('/api/products/{x}/items') must continue below the url-prefix with a literal segment",
    })
    void unknownRoutesAreNamed(String routes, String expected) {
        String yaml = BASE + "  - {id: catalog, " + routes + ", default: '1', header: V, versions: [{version: '1'}]}\n";
        String message = assertThrows(ConfigException.class, () -> GatewayConfig.parse("g.yaml", yaml, k -> null))
                .getMessage();
        assertTrue(message.startsWith("g.yaml: " + expected), message);
    }

}
