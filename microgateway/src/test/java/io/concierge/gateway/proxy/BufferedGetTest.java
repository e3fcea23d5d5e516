package io.concierge.gateway.proxy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.balancing.LoadBalancer;
import io.concierge.gateway.config.LoadBalancing;
import io.concierge.gateway.testing.UpstreamReply;
import io.concierge.gateway.testing.WireUpstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import io.concierge.gateway.balancing.UpstreamGroup;

/**
 * When a pooled connection may be used again for the same GET: only when no byte of an answer came
 * back. An answer that began (a malformed head, a body cut short) means the upstream processed the
 * request, so it must see it exactly once.
 */
class BufferedGetTest {
    private WireUpstream upstream;
    private UpstreamGroup group;

    @AfterEach
    void stop() {
        if (group != null) {
            group.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void aMalformedHeadOnAReusedConnectionIsNotSentAgain() throws Exception {
        secondOnEachConnection(UpstreamReply.raw("HTTP/1.1 2x0 Nope\r\n\r\n"));
        assertOneCallForTheBrokenAnswer();
    }

    @Test
    void aBodyCutShortOnAReusedConnectionIsNotSentAgain() throws Exception {
        secondOnEachConnection(UpstreamReply.raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"a\":"));
        assertOneCallForTheBrokenAnswer();
    }

    @Test
    void aConflictingContentLengthOnAReusedConnectionIsNotSentAgain() throws Exception {
        secondOnEachConnection(UpstreamReply.raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"));
        assertOneCallForTheBrokenAnswer();
    }

    @Test
    void aRequestDroppedUnansweredOnAReusedConnectionIsSentOnceMore() throws Exception {
        // The upstream reads the second request on a connection and closes without a byte: nothing
        // was processed, so the GET goes out again on a fresh connection and succeeds.
        upstream = WireUpstream.start().dropRequestsAfter(1);
        group = group(upstream.port());
        assertEquals(200, get().status());
        assertEquals(200, get().status());
        assertEquals(1, upstream.droppedRequests().size(), "the scenario did not happen");
        assertEquals(2, upstream.requestCount());
    }

    /** The first request on a connection is answered well; the second gets {@code broken}. */
    private void secondOnEachConnection(UpstreamReply broken) {
        upstream = WireUpstream.start(r -> r.sequence() == 1 ? UpstreamReply.json(200, "{}".getBytes()) : broken);
        group = group(upstream.port());
    }

    private void assertOneCallForTheBrokenAnswer() throws Exception {
        assertEquals(200, get().status());
        assertThrows(IOException.class, this::get);
        assertEquals(2, upstream.requestCount(), "the broken answer's request was sent again");
        assertEquals(1, upstream.connectionsAccepted());
    }

    private BufferedGet.Response get() throws IOException {
        return BufferedGet.get(group, "/thing", List.of(), System.nanoTime() + Duration.ofSeconds(10).toNanos(), 1024);
    }

    private static UpstreamGroup group(int port) {
        return new UpstreamGroup("test", LoadBalancer.of(LoadBalancing.ROUND_ROBIN), Duration.ofSeconds(5),
                Duration.ofSeconds(10), 4, Duration.ofSeconds(30),
                List.of(new UpstreamGroup.Endpoint("127.0.0.1", port, 1)));
    }
}
