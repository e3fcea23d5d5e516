package io.concierge.gateway.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PathPatternTest {
    private static List<String> segs(String... s) {
        return List.of(s);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "api/x           | path pattern must start with '/' (was 'api/x')",
            "/api//x         | empty segment in path pattern '/api//x'",
            "/api/           | empty segment in path pattern '/api/'",
            "/api/**/x       | '**' may only be the last segment of '/api/**/x'",
            "/api/{1d}       | bad parameter name '1d' in '/api/{1d}'",
            "/api/{}         | bad parameter name '' in '/api/{}'",
            "/api/{id}/{id}  | parameter 'id' appears twice in '/api/{id}/{id}'",
            "/api/x*         | bad segment 'x*' in path pattern '/api/x*'",
            "/api/*          | bad segment '*' in path pattern '/api/*'",
            "/api/{id        | bad segment '{id' in path pattern '/api/{id'",
            "/api/..         | bad segment '..' in path pattern '/api/..'",
            "/api/.          | bad segment '.' in path pattern '/api/.'",
            "/api/%2F        | bad segment '%2F' in path pattern '/api/%2F'"})
    void badPatternsAreRefusedWithTheReason(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PathPattern.compile(text.strip()));
        assertEquals(message.strip(), e.getMessage());
    }

    @Test
    void literalSegmentsMatchExactly() {
        PathPattern p = PathPattern.compile("/api/users");
        assertEquals(Map.of(), p.match(segs("api", "users")));
        assertNull(p.match(segs("api", "Users")));
        assertNull(p.match(segs("api")));
        assertNull(p.match(segs("api", "users", "1")));
    }

    @Test
    void parametersMatchExactlyOneSegment() {
        PathPattern p = PathPattern.compile("/api/users/{id}/orders/{orderId}");
        assertEquals(Map.of("id", "42", "orderId", "a b"), p.match(segs("api", "users", "42", "orders", "a b")));
        assertNull(p.match(segs("api", "users", "42", "orders")));
        // a decoded '/' inside a segment is still one segment: it cannot fake a second one
        assertEquals(Map.of("id", "4/2", "orderId", "x"), p.match(segs("api", "users", "4/2", "orders", "x")));
        assertEquals(List.of("id", "orderId"), p.parameterNames());
    }

    @Test
    void doubleStarMatchesZeroOrMoreTrailingSegments() {
        PathPattern p = PathPattern.compile("/api/{v}/**");
        assertEquals(Map.of("v", "1"), p.match(segs("api", "1")));
        assertEquals(Map.of("v", "1"), p.match(segs("api", "1", "a", "b", "c")));
        assertNull(p.match(segs("api")));
        assertNull(p.match(segs("other", "1")));
    }

    @Test
    void theRootPatternMatchesOnlyTheRoot() {
        PathPattern p = PathPattern.compile("/");
        assertEquals(Map.of(), p.match(segs()));
        assertNull(p.match(segs("a")));
        assertEquals(Map.of(), PathPattern.compile("/**").match(segs()));
    }

    @ParameterizedTest
    @CsvSource({
            "/api/users/**, /api, true",
            "/api/users/**, /api/users, true",
            "/api/users, /api/users, true",
            "/api/users/**, /api/use, false",
            "/api/users/**, /, true",
            "/api/{x}/**, /api/users, false",
            "/api/**, /api/users, false",
            "/api, /api/users, false",
            "/apiv2/**, /api, false"})
    void isWithinAPrefixOnlyWhenEveryMatchIsUnderIt(String pattern, String prefix, boolean within) {
        assertEquals(within, PathPattern.compile(pattern).isWithin(prefix));
    }

    @Test
    void specificityOrdersLiteralBeforeParameterBeforeDoubleStar() {
        List<String> texts = List.of("/api/**", "/api/users/**", "/api/{x}/me", "/api/users/{id}", "/api/users/me",
                "/api/users");
        List<PathPattern> patterns = new ArrayList<>();
        texts.forEach(t -> patterns.add(PathPattern.compile(t)));
        patterns.sort(PathPattern::compareSpecificity);

        assertEquals(List.of("/api/users", "/api/users/me", "/api/users/{id}", "/api/users/**", "/api/{x}/me",
                "/api/**"), patterns.stream().map(PathPattern::text).toList());
    }

    @Test
    void anExactPatternBeatsTheSamePrefixWithDoubleStar() {
        PathPattern exact = PathPattern.compile("/api/users");
        PathPattern rest = PathPattern.compile("/api/users/**");
        assertTrue(exact.compareSpecificity(rest) < 0);
        assertTrue(rest.compareSpecificity(exact) > 0);
        assertEquals(0, exact.compareSpecificity(PathPattern.compile("/api/users")));
        assertFalse(PathPattern.compile("/a/{b}").compareSpecificity(PathPattern.compile("/a/{c}")) != 0);
    }
}
