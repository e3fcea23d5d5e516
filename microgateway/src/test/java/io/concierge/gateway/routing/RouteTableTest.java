package io.concierge.gateway.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class RouteTableTest {
    private static final Headers NO_HEADERS = WritableHeaders.create();

    @SafeVarargs
    private static RouteTable<String> table(RouteTable.Entry<String>... entries) {
        return new RouteTable<>(List.of(entries));
    }

    private static int order;

    private static RouteTable.Entry<String> entry(String path, Set<String> methods, Map<String, String> headers,
                                                  String name) {
        return new RouteTable.Entry<>(PathPattern.compile(path), methods, headers, order++, name);
    }

    private static RouteTable.Entry<String> entry(String path, String name) {
        return entry(path, Set.of(), Map.of(), name);
    }

    private static String matched(RouteTable<String> t, String method, String path, Headers headers) {
        List<String> segments = new ArrayList<>(List.of(path.substring(1).split("/")));
        segments.removeIf(String::isEmpty);
        RouteTable.Result<String> r = t.match(method, segments, headers);
        return assertInstanceOf(RouteTable.Match.class, r, () -> path + " -> " + r).route().toString();
    }

    @Test
    void theMostSpecificRouteWinsWhateverTheFileOrder() {
        RouteTable<String> t = table(
                entry("/api/**", "catch-all"),
                entry("/api/users/**", "users-rest"),
                entry("/api/users/{id}", "by-id"),
                entry("/api/users/me", "me"),
                entry("/api/users", "exact"));

        assertEquals("me", matched(t, "GET", "/api/users/me", NO_HEADERS));
        assertEquals("by-id", matched(t, "GET", "/api/users/7", NO_HEADERS));
        assertEquals("users-rest", matched(t, "GET", "/api/users/7/x", NO_HEADERS));
        assertEquals("exact", matched(t, "GET", "/api/users", NO_HEADERS));
        assertEquals("catch-all", matched(t, "GET", "/api/orders", NO_HEADERS));
        assertEquals("catch-all", matched(t, "GET", "/api", NO_HEADERS));
    }

    @Test
    void parametersAreReturnedWithTheMatch() {
        RouteTable<String> t = table(entry("/api/users/{id}/orders/{orderId}", "r"));
        RouteTable.Result<String> r = t.match("GET", List.of("api", "users", "42", "orders", "9"), NO_HEADERS);
        assertEquals(new RouteTable.Match<>("r", Map.of("id", "42", "orderId", "9")), r);
    }

    @Test
    void aRouteNamingTheMethodBeatsOneForAnyMethod() {
        RouteTable<String> t = table(
                entry("/api/x", Set.of(), Map.of(), "any"),
                entry("/api/x", Set.of("GET"), Map.of(), "get"));
        assertEquals("get", matched(t, "GET", "/api/x", NO_HEADERS));
        assertEquals("any", matched(t, "POST", "/api/x", NO_HEADERS));
    }

    @Test
    void aWrongMethodIsMethodNotAllowedWithEveryAllowedMethod() {
        RouteTable<String> t = table(
                entry("/api/x", Set.of("GET", "POST"), Map.of(), "read"),
                entry("/api/{p}", Set.of("PUT"), Map.of(), "write"),
                entry("/api/y", Set.of("PATCH"), Map.of(), "elsewhere"));

        RouteTable.Result<String> r = t.match("DELETE", List.of("api", "x"), NO_HEADERS);

        assertEquals(new RouteTable.MethodNotAllowed<String>(Set.of("GET", "POST", "PUT")), r);
        assertEquals(List.of("GET", "POST", "PUT"), List.copyOf(((RouteTable.MethodNotAllowed<String>) r).allowed()),
                "sorted, for a stable Allow header");
    }

    @Test
    void aLessSpecificRouteThatAllowsTheMethodStillServesIt() {
        RouteTable<String> t = table(
                entry("/api/**", Set.of(), Map.of(), "catch-all"),
                entry("/api/x", Set.of("GET"), Map.of(), "get-only"));
        assertEquals("catch-all", matched(t, "DELETE", "/api/x", NO_HEADERS));
    }

    @Test
    void noMatchingPathIsNotFound() {
        RouteTable<String> t = table(entry("/api/x", "x"));
        assertEquals(new RouteTable.NotFound<String>(), t.match("GET", List.of("api", "y"), NO_HEADERS));
        assertEquals(new RouteTable.NotFound<String>(), t.match("GET", List.of(), NO_HEADERS));
    }

    @Test
    void headerConditionsMustAllMatchAndMoreConditionsWin() {
        RouteTable<String> t = table(
                entry("/api/x", Set.of(), Map.of(), "plain"),
                entry("/api/x", Set.of(), Map.of("X-Tenant", "a"), "tenant-a"),
                entry("/api/x", Set.of(), Map.of("X-Tenant", "a", "X-Beta", "on"), "tenant-a-beta"));

        assertEquals("plain", matched(t, "GET", "/api/x", NO_HEADERS));
        assertEquals("tenant-a", matched(t, "GET", "/api/x", headers("x-tenant", "a")));
        assertEquals("tenant-a-beta", matched(t, "GET", "/api/x", headers("X-Tenant", "a", "X-Beta", "on")));
        assertEquals("plain", matched(t, "GET", "/api/x", headers("X-Tenant", "A")), "values are exact");
    }

    @Test
    void equallySpecificRoutesKeepFileOrder() {
        RouteTable<String> t = table(entry("/api/{a}", "first"), entry("/api/{b}", "second"));
        assertEquals("first", matched(t, "GET", "/api/x", NO_HEADERS));
        assertEquals(List.of("first", "second"), t.entries().stream().map(RouteTable.Entry::route).toList());
    }

    private static Headers headers(String... nameValue) {
        WritableHeaders<?> h = WritableHeaders.create();
        for (int i = 0; i < nameValue.length; i += 2) {
            h.add(HeaderNames.create(nameValue[i]), nameValue[i + 1]);
        }
        return h;
    }
}
