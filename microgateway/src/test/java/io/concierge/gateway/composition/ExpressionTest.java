package io.concierge.gateway.composition;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expressions select values; templates encode them so that data can never change a request's shape. */
class ExpressionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void fieldsIndexesAndWildcards() throws Exception {
        JsonNode order = json("{\"userId\":7,\"items\":[{\"productId\":\"p1\"},{\"qty\":2},{\"productId\":\"p3\"}]}");
        assertEquals("7", Expression.scalar(Expression.parse("order.userId").single(order)));
        assertEquals("p3", Expression.scalar(Expression.parse("order.items[2].productId").single(order)));
        assertNull(Expression.scalar(Expression.parse("order.items[9].productId").single(order)));
        assertNull(Expression.scalar(Expression.parse("order.items").single(order)), "a list is not a scalar");
        List<JsonNode> ids = Expression.parse("order.items[*].productId").all(order);
        assertEquals(3, ids.size(), "one entry per element, so positions line up");
        assertTrue(ids.get(1).isMissingNode());
        assertEquals(3, Expression.parse("order.items").all(order).size(), "an array names its elements");
        assertNull(Expression.parse("order.userId").all(order), "not a list");
    }

    @Test
    void malformedExpressionsAreRefused() {
        for (String bad : List.of("", ".a", "a..b", "a[", "a[x]", "a[-1]", "a b", "1a")) {
            assertThrows(IllegalArgumentException.class, () -> Expression.parse(bad), bad);
        }
    }

    @Test
    void valuesAreEncodedAsOneSegmentOrOneQueryValue() throws Exception {
        PathTemplate t = PathTemplate.parse("/api/users/${each}/x?q=${each}&n=1");
        JsonNode hostile = json("\"1..admin?x=1&y#z é\"");
        assertEquals("/api/users/1..admin%3Fx%3D1%26y%23z%20%C3%A9/x?q=1..admin%3Fx%3D1%26y%23z%20%C3%A9&n=1",
                t.render(e -> hostile, "c"));
        // Not one segment: refused before any call, as another part's data (502) or the client's (400).
        for (String notASegment : List.of("1/../admin", "..", ".", "a\\b", "")) {
            JsonNode value = JSON.getNodeFactory().textNode(notASegment);
            assertEquals(502, assertThrows(PartFailure.class, () -> t.render(e -> value, "c")).status(), notASegment);
            PathTemplate fromClient = PathTemplate.parse("/api/users/${query.id}");
            assertEquals(400, assertThrows(PartFailure.class, () -> fromClient.render(e -> value, "c")).status());
        }
        JsonNode slash = JSON.getNodeFactory().textNode("a/b");
        assertEquals("/api/q?v=a%2Fb", PathTemplate.parse("/api/q?v=${query.v}").render(e -> slash, "c"),
                "a query value may hold any character");
        PartFailure missing = assertThrows(PartFailure.class, () -> t.render(e -> JSON.nullNode(), "c"));
        assertEquals(502, missing.status());
        assertThrows(IllegalArgumentException.class, () -> PathTemplate.parse("/a/${b}#frag"));
        assertThrows(IllegalArgumentException.class, () -> PathTemplate.parse("//evil.example/${b}"));
        assertThrows(IllegalArgumentException.class, () -> PathTemplate.parse("/a/${b"));
    }
}
