package io.concierge.gateway.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test upstream itself, talked to directly, so gateway tests can trust what it reports. */
class WireUpstreamTest {
    @Test
    void recordsTheRequestExactlyAsSent() throws IOException {
        try (WireUpstream up = WireUpstream.start(); WireClient c = WireClient.connect(up.port())) {
            c.send("PATCH /a%2Fb?x=1&x=2 HTTP/1.1\r\nHost: h\r\nX-Multi: 1\r\nx-multi: 2\r\nContent-Length: 3\r\n\r\nabc");
            WireResponse r = c.readResponse();

            assertEquals(200, r.status());
            RecordedRequest seen = up.lastRequest();
            assertEquals("PATCH /a%2Fb?x=1&x=2 HTTP/1.1", seen.requestLine());
            assertEquals("PATCH", seen.method());
            assertEquals("/a%2Fb", seen.path());
            assertEquals("x=1&x=2", seen.query());
            assertEquals(List.of("Host: h", "X-Multi: 1", "x-multi: 2", "Content-Length: 3"), seen.headerLines());
            assertEquals(List.of("1", "2"), seen.headers("X-MULTI"));
            assertEquals(Framing.CONTENT_LENGTH, seen.framing());
            assertEquals("abc", seen.bodyText());
            assertEquals(GeneratedBytes.sha256("abc".getBytes()), seen.bodySha256());
            assertEquals(seen.requestLine(), r.json().get("requestLine").asText(), "the echo says the same");
            assertEquals(1, seen.connection());
            assertEquals(1, seen.sequence());
        }
    }

    @Test
    void decodesChunkedBodiesAndCountsChunks() throws IOException {
        try (WireUpstream up = WireUpstream.start(); WireClient c = WireClient.connect(up.port())) {
            c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n");
            assertEquals(200, c.readResponse().status());
            RecordedRequest seen = up.lastRequest();
            assertEquals(Framing.CHUNKED, seen.framing());
            assertEquals("abcde", seen.bodyText());
            assertEquals(2, seen.chunks());
        }
    }

    @Test
    void servesGeneratedBodiesBothWays() throws IOException {
        try (WireUpstream up = WireUpstream.start(); WireClient c = WireClient.connect(up.port())) {
            c.send(c.head("GET", "/fixed/100000"));
            WireResponse fixed = c.readResponse();
            assertEquals(Framing.CONTENT_LENGTH, fixed.framing());
            assertEquals(GeneratedBytes.sha256(100_000), fixed.bodySha256());

            c.send(c.head("GET", "/chunked/100000"));
            WireResponse chunked = c.readResponse();
            assertEquals(Framing.CHUNKED, chunked.framing());
            assertEquals(GeneratedBytes.sha256(100_000), chunked.bodySha256());

            c.send(c.head("HEAD", "/fixed/100000"));
            WireResponse head = c.readHeadResponse();
            assertEquals("100000", head.header("Content-Length"));

            c.send(c.head("GET", "/status/204"));
            assertEquals(204, c.readResponse().status());
            assertEquals(1, up.connectionsAccepted(), "all of it on one keep-alive connection");
        }
    }

    @Test
    void closesAfterEveryKResponses() throws IOException {
        try (WireUpstream up = WireUpstream.start().closeAfterEvery(2); WireClient c = WireClient.connect(up.port())) {
            c.send(c.head("GET", "/1"));
            c.readResponse();
            c.send(c.head("GET", "/2"));
            c.readResponse();
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void dropsTheRequestAfterKResponses() throws IOException {
        try (WireUpstream up = WireUpstream.start().dropRequestsAfter(1); WireClient c = WireClient.connect(up.port())) {
            c.send(c.head("GET", "/1"));
            c.readResponse();
            c.send(c.head("GET", "/2"));
            assertThrows(IOException.class, c::readResponse);
            assertEquals(List.of("GET /2 HTTP/1.1"), up.droppedRequests());
            assertEquals(1, up.requestCount());
        }
    }

    @Test
    void aHeldResponderIsReleasedByCloseWithoutTheTestWaiting() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        WireUpstream up = WireUpstream.start(WireUpstream.heldUntil(never, WireUpstream.echo()));
        try (WireClient c = WireClient.connect(up.port())) {
            c.send(c.head("GET", "/held"));
            up.awaitRequests(1, Duration.ofSeconds(10));
            up.close();
            assertTrue(c.closedByPeer(), "close() ends held exchanges too");
        }
        assertEquals(1, never.getCount());
    }

    @Test
    void awaitRequestsFailsClearlyWhenNothingArrives() {
        try (WireUpstream up = WireUpstream.start()) {
            AssertionError e = assertThrows(AssertionError.class, () -> up.awaitRequests(1, Duration.ofMillis(50)));
            assertTrue(e.getMessage().startsWith("expected 1 requests"), e.getMessage());
        }
    }
}
