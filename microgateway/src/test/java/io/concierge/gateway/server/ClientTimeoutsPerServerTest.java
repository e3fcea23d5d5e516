package io.concierge.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.testing.Poll;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireUpstream;

/**
 * The slow-client defence belongs to its server: a request head cut on one gateway is counted by
 * that gateway alone, in its accessor and its {@code /metrics}, and not by another gateway in the
 * same JVM (the count used to be a static, shared by every server of the process).
 */
class ClientTimeoutsPerServerTest {
    private static final String HEAD_DEADLINE = "header-timeout: 1s";

    @Test
    void aHeadCutOnOneGatewayIsNotCountedByAnother() throws Exception {
        try (Resources r = new Resources()) {
            WireUpstream upstream = r.track(WireUpstream.start(WireUpstream.echo()));
            GatewayServer slowClients = r.track(TestGateways.start(
                    TestGateways.oneRouteYaml(HEAD_DEADLINE, "", upstream.port())));
            GatewayServer other = r.track(TestGateways.start(
                    TestGateways.oneRouteYaml(HEAD_DEADLINE, "", upstream.port())));

            try (WireClient c = WireClient.connect(slowClients.port())) {
                // The request line and half a header, then nothing: only the 1 s head deadline
                // (the read timeout is 30 s) ends this connection.
                c.send("GET /api/x HTTP/1.1\r\nHost: gateway\r\nX-Slow: a");
                Poll.until("the head deadline cut the connection", Duration.ofSeconds(30),
                        () -> slowClients.runtime().clientTimeouts().headsCut() == 1);
            }

            assertEquals(0, other.runtime().clientTimeouts().headsCut(), "the other gateway cut no head");
            assertTrue(metrics(slowClients).contains("\nconcierge_request_head_timeouts_total 1\n"),
                    metrics(slowClients));
            assertTrue(metrics(other).contains("\nconcierge_request_head_timeouts_total 0\n"), metrics(other));
        }
    }

    private static String metrics(GatewayServer gateway) throws Exception {
        return WireClient.exchange(gateway.adminPort(), "GET", "/metrics").bodyText();
    }
}
