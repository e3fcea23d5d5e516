package io.concierge.gateway.rewrite;

import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PathRewriterTest {
    private static String rewrite(RewriteConfig config, String raw) {
        return new PathRewriter(config).rewrite(RawPath.parse(raw, true));
    }

    private static RewriteConfig prefix(String strip, String add) {
        return new RewriteConfig(strip, add, null, null);
    }

    private static RewriteConfig regex(String regex, String replacement) {
        return new RewriteConfig(null, null, Pattern.compile(regex), replacement);
    }

    @Test
    void noRewriteReturnsTheRawPath() {
        assertEquals("/api/a%2Fb/", rewrite(RewriteConfig.NONE, "/api/a%2Fb/"));
    }

    @ParameterizedTest
    @CsvSource({
            "/api/users, , /api/users/42, /42",
            "/api/users, , /api/users, /",
            "/api/users, , /api/users/, /",
            "/api/users, , /api/users/a%20b/, /a%20b/",
            "/api/users, /v2, /api/users/42, /v2/42",
            "/api/users, /v2, /api/users, /v2",
            "/api/users, /v2, /api/users/, /v2/",
            ", /v2, /api/users/42, /v2/api/users/42",
            "/api, /, /api/x, /x",
            "/, /v1, /x, /v1/x",
            // the route matched decoded segments, so a differently spelt prefix is still stripped
            "/api/users, /v2, /api/%75sers/42, /v2/42",
            // a path that does not start with the prefix is forwarded whole
            "/api/users, /v2, /api/orders/1, /v2/api/orders/1"})
    void stripAndAddWorkOnSegments(String strip, String add, String raw, String expected) {
        assertEquals(expected, rewrite(prefix(strip, add), raw));
    }

    @Test
    void aPrefixIsStrippedOnlyAtASegmentBoundary() {
        assertEquals("/v2/api/usersX/1", rewrite(prefix("/api/users", "/v2"), "/api/usersX/1"));
    }

    @ParameterizedTest
    @CsvSource({
            "^/api/users, /api/v1/users, /api/users/42/profile, /api/v1/users/42/profile",
            "^/api/users, /api/v1/users, /api/other, /api/other",
            "^/api/(\\w+)/(\\d+)$, /v1/$1/by-id/$2, /api/users/42, /v1/users/by-id/42",
            "^/api/users, /api/v1/users, /api/users/a%2Fb, /api/v1/users/a%2Fb"})
    void regexRewritesThePath(String pattern, String replacement, String raw, String expected) {
        assertEquals(expected, rewrite(regex(pattern, replacement), raw));
    }

    /** The route matched decoded segments; the regex must see every spelling of them alike. */
    @ParameterizedTest
    @CsvSource({
            "^/api/rx/(.*)$, /internal/$1, /api/%72x/secret, /internal/secret",
            "^/api/rx/(.*)$, /internal/$1, /api/%72%78/%73ecret, /internal/secret",
            "^/api/rx/(.*)$, /internal/$1, /api/r%78/a%2fb, /internal/a%2Fb",
            // not matched in any spelling: forwarded raw, byte for byte
            "^/api/rx/(.*)$, /internal/$1, /api/r%79/secret, /api/r%79/secret"})
    void regexRewritesEverySpellingOfThePathAlike(String pattern, String replacement, String raw, String expected) {
        assertEquals(expected, rewrite(regex(pattern, replacement), raw));
    }

    @Test
    void aRegexResultIsValidatedLikeAClientPath() {
        // The regex is the operator's but the captured text is the client's: "/api/a.b" is a fine
        // path, yet this rewrite would glue its '.' into the dot segment "/..".
        RewriteConfig glue = regex("^/api/a(.)b$", "/.$1");
        InvalidPathException e = assertThrows(InvalidPathException.class, () -> rewrite(glue, "/api/a.b"));
        assertEquals("dot segments are not allowed in the path", e.getMessage());
        assertEquals("/.x", rewrite(glue, "/api/axb"));
    }
}
