package io.concierge.demo.support;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonBodyTest {
    private static JsonBody body(String json) {
        return JsonBody.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String rejection(Runnable action) {
        ProblemException e = assertThrows(ProblemException.class, action::run);
        assertEquals(400, e.status().code());
        return e.detail();
    }

    @Test
    void textMustBePresentNonBlankAndBounded() {
        assertEquals("bob", body("{\"u\":\"bob\"}").text("u", 10));
        assertEquals("'u' is required and must be a non-empty string", rejection(() -> body("{}").text("u", 10)));
        rejection(() -> body("{\"u\":\"  \"}").text("u", 10));
        rejection(() -> body("{\"u\":5}").text("u", 10));
        rejection(() -> body("{\"u\":\"12345678901\"}").text("u", 10));
    }

    @Test
    void tokensAreShortIdentifiers() {
        assertEquals("o-1_a.b", body("{\"id\":\"o-1_a.b\"}").token("id"));
        rejection(() -> body("{\"id\":\"a b\"}").token("id"));
        rejection(() -> body("{\"id\":\"" + "a".repeat(65) + "\"}").token("id"));
    }

    @Test
    void integersAreWholeAndInRange() {
        assertEquals(2, body("{\"q\":2}").integer("q", 1, 10));
        assertEquals(2, body("{\"q\":2.0}").integer("q", 1, 10));
        rejection(() -> body("{\"q\":2.5}").integer("q", 1, 10));
        rejection(() -> body("{\"q\":\"2\"}").integer("q", 1, 10));
        rejection(() -> body("{\"q\":0}").integer("q", 1, 10));
        rejection(() -> body("{\"q\":1e400}").integer("q", 1, 10));
        rejection(() -> body("{\"q\":99999999999999999999}").integer("q", 1, 10));
    }

    @Test
    void decimalsArePositiveBoundedAndMoneyShaped() {
        BigDecimal max = new BigDecimal("1000");
        assertEquals(0, new BigDecimal("12.5").compareTo(body("{\"a\":12.50}").positiveDecimal("a", max, 2)));
        rejection(() -> body("{\"a\":0}").positiveDecimal("a", max, 2));
        rejection(() -> body("{\"a\":-1}").positiveDecimal("a", max, 2));
        rejection(() -> body("{\"a\":1.001}").positiveDecimal("a", max, 2));
        rejection(() -> body("{\"a\":1e400}").positiveDecimal("a", max, 2));
        rejection(() -> body("{\"a\":1e-999999}").positiveDecimal("a", max, 2));
    }

    @Test
    void nestedFieldsAreNamedByPath() {
        List<JsonBody> items = body("{\"items\":[{\"q\":1},{\"q\":\"x\"}]}").objects("items", 5);
        assertEquals(1, items.get(0).integer("q", 1, 5));
        assertEquals("'items[1].q' is required and must be an integer", rejection(() -> items.get(1).integer("q", 1, 5)));
        assertEquals("'items[0]' must be a JSON object", rejection(() -> body("{\"items\":[1]}").objects("items", 5)));
        rejection(() -> body("{\"items\":[]}").objects("items", 5));
        rejection(() -> body("{\"items\":[{},{}]}").objects("items", 1));
    }

    @Test
    void rejectionsDoNotEchoValues() {
        assertFalse(rejection(() -> body("{\"u\":\"hunter2-secret-value\"}").text("u", 5)).contains("hunter2"));
        assertFalse(rejection(() -> body("{\"u\":\"hunter2 ")).contains("hunter2"));
    }
}
