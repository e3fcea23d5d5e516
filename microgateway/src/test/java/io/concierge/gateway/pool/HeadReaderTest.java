package io.concierge.gateway.pool;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The upstream head reader gives the same lines whether a line sits whole in its buffer (read as one
 * string, the usual case) or arrives over several reads (collected piece by piece): CRLF and bare
 * LF endings, Latin-1 bytes, the length limit, and the body bytes that follow the head.
 */
class HeadReaderTest {
    private static final String HEAD = "HTTP/1.1 200 OK\r\nX-Latin: caf\u00e9\r\nX-Lf: bare\n\r\n"
            + "X-Cr: a\rb\r\n\r\nbody";

    /** A source that hands out {@code chunk} bytes per read, to split lines across reads. */
    private static InputStream source(String text, int chunk) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static void assertLines(UpstreamConnection.HeadReader in) throws IOException {
        assertEquals("HTTP/1.1 200 OK", in.readLine(100));
        assertEquals("X-Latin: caf\u00e9", in.readLine(100));
        assertEquals("X-Lf: bare", in.readLine(100));
        assertEquals("", in.readLine(100));
        assertEquals("X-Cr: a\rb", in.readLine(100));
        assertEquals("", in.readLine(100));
        assertEquals("body", new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
        assertNull(in.readLine(100));
    }

    @Test
    void linesWholeInTheBufferReadAsWritten() throws IOException {
        assertLines(new UpstreamConnection.HeadReader(source(HEAD, 1024), 1024));
    }

    @Test
    void linesSplitAcrossReadsReadTheSame() throws IOException {
        for (int chunk = 1; chunk <= 7; chunk++) {
            assertLines(new UpstreamConnection.HeadReader(source(HEAD, chunk), 1024));
        }
        // A buffer smaller than a line: every line continues past a refill.
        assertLines(new UpstreamConnection.HeadReader(source(HEAD, 1024), 4));
    }

    @Test
    void theLengthLimitHoldsOnBothPaths() {
        // The limit counts what comes before the LF, the CR included.
        String line = "X-Long: " + "a".repeat(92) + "\r\n";
        for (int bufferSize : new int[] {1024, 16}) {
            UpstreamConnection.HeadReader ok = new UpstreamConnection.HeadReader(source(line, 1024), bufferSize);
            assertEquals(line.substring(0, 100), assertDoesNotThrow(() -> ok.readLine(101)), "buffer " + bufferSize);
            UpstreamConnection.HeadReader tooLong = new UpstreamConnection.HeadReader(source(line, 1024), bufferSize);
            assertThrows(UpstreamProtocolException.class, () -> tooLong.readLine(100), "buffer " + bufferSize);
        }
    }

    @Test
    void aLineCutByTheEndOfStreamIsAnError() throws IOException {
        UpstreamConnection.HeadReader in =
                new UpstreamConnection.HeadReader(source("HTTP/1.1 200 OK\r\nX-Cut: a", 1024), 1024);
        assertEquals("HTTP/1.1 200 OK", in.readLine(100));
        assertThrows(UpstreamProtocolException.class, () -> in.readLine(100));
    }
}
