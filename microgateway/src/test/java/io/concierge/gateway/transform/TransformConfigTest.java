package io.concierge.gateway.transform;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.config.YamlSource;
import io.concierge.gateway.domainconfig.GatewayConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The config tier: every invalid transformation is a load error naming the file and YAML path. */
class TransformConfigTest {

    private static TransformConfig read(String yaml) {
        return TransformConfig.read(YamlSource.parse("t.yaml", yaml, k -> null).object("transform"), true);
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> read(yaml)).getMessage();
    }

    @Test
    void aFullSectionReadsWithTheDocumentedDefaults() {
        TransformConfig c = read("""
                transform:
                  request:
                    headers: {add: {X-A: a}, set: {X-B: b}, remove: [X-C], rename: {X-D: X-E}}
                    query: {add: {a: "1"}, set: {b: "2"}, remove: [c], rename: {d: e}}
                  response:
                    headers: {remove: [Server, X-Powered-By]}
                    body:
                      - select: [/id, /name]
                      - each: /
                        do:
                          - rename: {/name: title}
                          - move: {/price: /price/amount}
                          - add: {/price/currency: EUR}
                          - map: {at: /inStock, values: {"true": in_stock, "false": sold_out}, default: unknown}
                          - remove: [/internal]
                    envelope: true
                """);
        assertEquals(TransformConfig.DEFAULT_MAX_BODY_SIZE, c.maxBodySize());
        assertEquals(2, c.body().size());
        assertTrue(c.envelope());
        assertFalse(c.isEmpty());
        assertTrue(read("transform: {}").isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[{select: [name]}]|transform.response.body[0].select[0]: 'name' is not a path: a path starts with '/'",
        "[{remove: [/a/]}]|transform.response.body[0].remove[0]: '/a/' has an empty field name",
        "[{remove: [/a~2b]}]|transform.response.body[0].remove[0]: '/a~2b': '~' must be followed by 0 (for ~) or 1 (for /)",
        "[{remove: [/]}]|transform.response.body[0].remove[0]: '/' (the whole document) cannot be used here",
        "[{pick: [/a]}]|transform.response.body[0].pick: unknown key",
        "[{}]|transform.response.body[0]: an operation needs one of select, remove, rename, move, add, map, each, limit, count, average",
        "[{select: [/a], remove: [/b]}]|transform.response.body[0]: one operation per list item (found 'select' and 'remove')",
        "[{rename: {/a: /b}}]|transform.response.body[0].rename./a: the new name must be a plain field name",
        "[{move: {/a: b}}]|transform.response.body[0].move./a: 'b' is not a path",
        "[{add: [/a]}]|transform.response.body[0].add: expected a mapping of path to value",
        "[{map: {at: /a}}]|transform.response.body[0].map.values: expected a mapping of value to value",
        "[{map: {at: /a, values: {x: y}, other: 1}}]|transform.response.body[0].map.other: unknown key",
        "[{each: /items}]|transform.response.body[0].do: 'each' needs the operations to run on every element under 'do'",
        "[{each: /items, do: [{drop: [/x]}]}]|transform.response.body[0].do[0].drop: unknown key",
        "[{select: [/a], do: [{remove: [/x]}]}]|transform.response.body[0].do: unknown key",
        "[{limit: {/a: many}}]|transform.response.body[0].limit./a: expected a number of elements from 0 to 100000 (was 'many')",
        "[{count: {/a: b}}]|transform.response.body[0].count./a: 'b' is not a path",
        "[{average: {of: /a, to: /}}]|transform.response.body[0].average.to: '/' (the whole document) cannot be used here",
        "[{average: {of: /a, to: /b, decimals: 11}}]|transform.response.body[0].average.decimals: must be between 0 and 10",
    })
    void badBodyOperationsNameTheirYamlPath(String body, String expected) {
        String message = error("transform:\n  response:\n    body: " + body + "\n");
        assertTrue(message.startsWith("t.yaml: " + expected), message);
    }

    @Test
    void badHeadersQueriesAndSizesNameTheirYamlPath() {
        assertTrue(error("transform: {response: {headers: {remove: [\"Bad Name\"]}}}")
                .startsWith("t.yaml: transform.response.headers.remove[0]: 'Bad Name' is not a valid header name"));
        assertTrue(error("transform: {request: {headers: {set: {X-A: \"a\\r\\nX-Evil: 1\"}}}}")
                .startsWith("t.yaml: transform.request.headers.set.X-A: a header value must not contain control"));
        assertTrue(error("transform: {request: {headers: {append: {X-A: a}}}}")
                .startsWith("t.yaml: transform.request.headers.append: unknown key"));
        assertTrue(error("transform: {request: {query: {set: {\"\": a}}}}")
                .startsWith("t.yaml: transform.request.query.set.: empty query parameter name"));
        assertTrue(error("transform: {response: {max-body-size: lots}}")
                .startsWith("t.yaml: transform.response.max-body-size: bad size 'lots'"));
        assertTrue(error("transform: {response: {envelope: maybe}}")
                .startsWith("t.yaml: transform.response.envelope: expected true or false"));
        assertTrue(error("transform: {reponse: {}}").startsWith("t.yaml: transform.reponse: unknown key"));
    }

    @Test
    void aCompositionsTransformationHasNoRequestPart() {
        String yaml = """
                domain: test
                prefixes: [/api]
                services:
                  backend: {instances: [{url: "http://127.0.0.1:1"}]}
                routes:
                  - id: items
                    match: {path: "/api/items/{id}"}
                    service: backend
                compositions:
                  - id: both
                    match: {path: "/api/both/{id}"}
                    calls:
                      - {name: item, service: backend, path: "/api/items/${path.id}"}
                    transform:
                      request: {headers: {set: {X-A: a}}}
                """;
        String message = assertThrows(ConfigException.class,
                () -> GatewayConfig.parse("g.yaml", yaml, k -> null)).getMessage();
        assertTrue(message.startsWith("g.yaml: compositions[0].transform.request: a composition sends no request"),
                message);
    }
}
