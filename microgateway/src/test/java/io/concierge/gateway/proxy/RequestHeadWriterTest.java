package io.concierge.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The rules of the one writer of upstream request heads, without a socket. */
class RequestHeadWriterTest {

    @Test
    void cleanPartsAreWrittenAsGiven() throws UnsafeRequestHeadException {
        assertEquals("GET /a%20b?x=%0D%0A&y=caf%C3%A9 HTTP/1.1\r\n",
                RequestHeadWriter.requestLine("GET", "/a%20b?x=%0D%0A&y=caf%C3%A9"));
        RequestHeadWriter w = new RequestHeadWriter(64).header("X-Tab", "a\tb").header("X-Latin", "caf\u00e9")
                .header("X_Under", "v");
        assertEquals("X-Tab: a\tb\r\nX-Latin: caf\u00e9\r\nX_Under: v\r\n", w.lines());
        assertEquals("GET / HTTP/1.1\r\nHost: h:1\r\nA: b\r\n\r\n",
                RequestHeadWriter.assemble("GET / HTTP/1.1\r\n", "h:1", "A: b\r\n", "", ""));
    }

    @Test
    void theTargetIsVisibleAsciiOnly() {
        for (String target : new String[] {"/a\r\nGET /b", "/a b", "/a\0", "/a\u007f", "/caf\u00e9", "/\u20ac", "",
                "/a?q=1\r\nX: y", "/a\t"}) {
            assertThrows(UnsafeRequestHeadException.class, () -> RequestHeadWriter.requestLine("GET", target),
                    () -> "target '" + target + "'");
        }
    }

    @Test
    void theMethodIsAToken() {
        for (String method : new String[] {"GET /x HTTP/1.1\r\nX:", "G T", "", "GET\0"}) {
            assertThrows(UnsafeRequestHeadException.class, () -> RequestHeadWriter.requestLine(method, "/"));
        }
    }

    @Test
    void namesAreTokensAndValuesHaveNoControlCharacters() {
        RequestHeadWriter w = new RequestHeadWriter(64);
        for (String name : new String[] {"x-a\r\nx-b", "x a", "x:a", "", "x\0", "caf\u00e9"}) {
            assertThrows(UnsafeRequestHeadException.class, () -> w.header(name, "v"), () -> "name '" + name + "'");
        }
        for (String value : new String[] {"a\r\nPOST /login HTTP/1.1", "a\rb", "a\nb", "a\0b", "a\u0001b",
                "a\u001fb", "a\u007fb", "\u20ac"}) {
            assertThrows(UnsafeRequestHeadException.class, () -> w.header("X-A", value), () -> "value '" + value + "'");
        }
        assertThrows(UnsafeRequestHeadException.class,
                () -> RequestHeadWriter.assemble("GET / HTTP/1.1\r\n", "h\r\nX: y", "", "", ""));
        assertEquals("", w.lines(), "nothing of a refused header is written");
    }

    @Test
    void theRefusalNamesThePartButNeverRepeatsItsBytes() {
        UnsafeRequestHeadException e = assertThrows(UnsafeRequestHeadException.class,
                () -> new RequestHeadWriter(64).header("X-Secret", "leak\r\nme"));
        assertEquals("the value of header 'X-Secret' contains a control character (CR, LF, NUL, ...) or a character"
                + " outside ISO-8859-1", e.getMessage());
    }

    @Test
    void theProxysHeadBytesAreTheAssembledHeadInLatin1() throws UnsafeRequestHeadException {
        // A small start capacity, so the lines grow past it; Latin-1 and a tab in values.
        RequestHeadWriter w = new RequestHeadWriter(8).header("X-Latin", "caf\u00e9").header("X-Tab", "a\tb")
                .header("X-Long", "v".repeat(300));
        String line = RequestHeadWriter.requestLine("POST", "/x?y=1");
        String own = "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n";
        String framing = "Content-Length: 3\r\n";
        byte[] expected = RequestHeadWriter.assemble(line, "h:8080", w.lines(), own, framing)
                .getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(expected.length, RequestHeadWriter.headLength(line, "h:8080", w, own, framing));
        // A reused buffer, larger than the head and holding an earlier head's bytes.
        byte[] buffer = new byte[expected.length + 100];
        Arrays.fill(buffer, (byte) 'z');
        int n = RequestHeadWriter.assembleInto(buffer, line, "h:8080", w, own, framing);
        assertArrayEquals(expected, Arrays.copyOf(buffer, n));
        RequestHeadWriter.checkHost("h:8080");
        assertThrows(UnsafeRequestHeadException.class, () -> RequestHeadWriter.checkHost("h\r\nX: y"));
    }
}
