package io.concierge.gateway.rewrite;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RawPathTest {
    @Test
    void segmentsAreDecodedOnceWhileTheRawFormIsKept() {
        RawPath p = RawPath.parse("/api/caf%C3%A9/%252e%252e/a+b", false);

        assertEquals("/api/caf%C3%A9/%252e%252e/a+b", p.raw());
        assertEquals(List.of("api", "caf%C3%A9", "%252e%252e", "a+b"), p.rawSegments());
        assertEquals(List.of("api", "café", "%2e%2e", "a+b"), p.segments(), "decoded once: %25 becomes a literal %");
        assertFalse(p.trailingSlash());
    }

    @Test
    void theRootHasNoSegments() {
        RawPath p = RawPath.parse("/", false);
        assertEquals(List.of(), p.segments());
        assertEquals("", p.rawSuffix(0));
    }

    @Test
    void aTrailingSlashIsRememberedNotASegment() {
        RawPath p = RawPath.parse("/api/x/", false);
        assertEquals(List.of("api", "x"), p.segments());
        assertTrue(p.trailingSlash());
    }

    @ParameterizedTest
    @CsvSource({
            "/a/b/c, 0, /a/b/c",
            "/a/b/c, 1, /b/c",
            "/a/b/c, 3, ''",
            "/a/b/, 1, /b/",
            "/a/b/, 2, /",
            "/a/%2Fx/c, 1, /%2Fx/c"})
    void rawSuffixKeepsTheClientsBytes(String raw, int from, String suffix) {
        assertEquals(suffix, RawPath.parse(raw, true).rawSuffix(from));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                 | the path must start with '/'",
            "api/x              | the path must start with '/'",
            "/a/../b            | dot segments are not allowed in the path",
            "/a/./b             | dot segments are not allowed in the path",
            "/a/..              | dot segments are not allowed in the path",
            "/a/%2e%2e/b        | dot segments are not allowed in the path",
            "/a/%2E%2E/b        | dot segments are not allowed in the path",
            "/a/.%2E/b          | dot segments are not allowed in the path",
            "/a/%2e./b          | dot segments are not allowed in the path",
            "/a/%2e             | dot segments are not allowed in the path",
            "/a//b              | empty path segments ('//') are not allowed",
            "//a                | empty path segments ('//') are not allowed",
            "/a/b%2Fc           | encoded '/' or '\\' is not allowed in the path",
            "/a/b%2fc           | encoded '/' or '\\' is not allowed in the path",
            "/a/b%5Cc           | encoded '/' or '\\' is not allowed in the path",
            "/a/b%00            | control characters are not allowed in the path",
            "/a/b%0A            | control characters are not allowed in the path",
            "/a/b%7F            | control characters are not allowed in the path",
            "/a/%zz             | malformed percent-encoding in the path",
            "/a/%2              | malformed percent-encoding in the path",
            "/a/b%              | malformed percent-encoding in the path",
            "/a/%C3             | the path is not valid UTF-8 once decoded",
            "/a/%C0%AE          | the path is not valid UTF-8 once decoded",
            "/a/%FF             | the path is not valid UTF-8 once decoded",
            "/a/caf\u00e9       | the path must be ASCII; encode other characters",
            "/a/\ufffd          | the path must be ASCII; encode other characters",
            "/a/\u00e9%20       | the path must be ASCII; encode other characters"})
    void pathsThatCouldBeReadTwoWaysAreRefused(String raw, String message) {
        InvalidPathException e = assertThrows(InvalidPathException.class, () -> RawPath.parse(raw.strip(), false));
        assertEquals(message.strip(), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a/b%2Fc", "/a/b%5Cc", "/a/%2F%2F"})
    void encodedSlashesPassWhenAllowed(String raw) {
        assertEquals(raw, RawPath.parse(raw, true).raw());
    }

    /** Servlet-style upstreams cut a segment at its first ';' (some after decoding): "..;x" is "..". */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/a/..;/b           | dot segments are not allowed in the path, with or without ';' parameters",
            "/a/..;x=y/b        | dot segments are not allowed in the path, with or without ';' parameters",
            "/a/.;/b            | dot segments are not allowed in the path, with or without ';' parameters",
            "/a/..;             | dot segments are not allowed in the path, with or without ';' parameters",
            "/a/%2e%2e;/b       | dot segments are not allowed in the path, with or without ';' parameters",
            "/a/%2E%2e;x=y/b    | dot segments are not allowed in the path, with or without ';' parameters",
            "/a/.%2e;/b         | dot segments are not allowed in the path, with or without ';' parameters",
            "/a/..%3b/b         | dot segments are not allowed in the path, with or without ';' parameters",
            "/a/..%3B/b         | dot segments are not allowed in the path, with or without ';' parameters",
            "/a/%2e%2E%3Bx/b    | dot segments are not allowed in the path, with or without ';' parameters",
            "/a/.%3b/b          | dot segments are not allowed in the path, with or without ';' parameters",
            "/a/;x/b            | a path segment must not be empty before its ';' parameters",
            "/a/%3Bx/b          | a path segment must not be empty before its ';' parameters",
            "/a/;               | a path segment must not be empty before its ';' parameters"})
    void dotSegmentsWithPathParametersAreRefused(String raw, String message) {
        InvalidPathException e = assertThrows(InvalidPathException.class, () -> RawPath.parse(raw.strip(), false));
        assertEquals(message.strip(), e.getMessage());
    }

    @Test
    void pathParametersOnOrdinarySegmentsPass() {
        assertEquals(List.of("a;x=1", "...;y", ".hidden;z", "b;"),
                RawPath.parse("/a;x=1/...;y/.hidden;z/b%3B", false).segments());
    }

    @ParameterizedTest
    @CsvSource({
            "/api/rx/secret, /api/rx/secret",
            "/api/%72x/secret, /api/rx/secret",
            "/api/%72%58/s%65cret, /api/rX/secret",
            "/a/%7e%2d%2E%5f, /a/~-._",
            "/a/b%2fc, /a/b%2Fc",
            "/a/b%3bc%3F, /a/b%3Bc%3F",
            "/a/%c3%a4, /a/%C3%A4",
            "/a/b%20c, /a/b%20c"})
    void theNormalFormDecodesOnlyUnreservedCharacters(String raw, String normalised) {
        assertEquals(normalised, RawPath.parse(raw, true).normalised());
    }

    @Test
    void aPathWithoutEscapesIsItsOwnNormalForm() {
        RawPath p = RawPath.parse("/api/rx/secret", false);
        assertSame(p.raw(), p.normalised());
    }

    @Test
    void dotsInsideASegmentAreOrdinaryCharacters() {
        assertEquals(List.of("a", "...", ".hidden", "x..y"), RawPath.parse("/a/.../.hidden/x..y", false).segments());
    }
}
