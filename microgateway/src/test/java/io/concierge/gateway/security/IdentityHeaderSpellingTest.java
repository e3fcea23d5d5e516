package io.concierge.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.RecordedRequest;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * Client-sent identity headers are stripped in every spelling an upstream might read as the real
 * one: any case, {@code _} for {@code -} (issue 12, item 9). Over HTTP/1.1 here; the HTTP/2
 * spelling is tested at the edge module, where HTTP/2 is on the class path.
 */
class IdentityHeaderSpellingTest {
    private static WireUpstream upstream;
    private static GatewayServer gateway;

    @BeforeAll
    static void start() {
        upstream = WireUpstream.start(WireUpstream.echo());
        gateway = TestGateways.startOneRoute(upstream.port());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    /** Lower-case names with '_' as '-', as a CGI-style upstream would see them. */
    static List<String> looseNames(RecordedRequest r) {
        return r.headerNames().stream().map(n -> n.toLowerCase(Locale.ROOT).replace('_', '-')).toList();
    }

    @Test
    void identityHeadersAreStrippedWithUnderscoresAndAnyCase() throws Exception {
        WireResponse r = WireClient.exchange(gateway.port(), "GET", "/api/x",
                "X_Auth_Roles: admin", "x-auth_subject: 1", "X_AUTH_SCOPES: all", "X-Auth-Consumer: evil",
                "x_auth_issuer: me", "X_Other: kept");
        assertEquals(200, r.status(), r.toString());
        RecordedRequest got = upstream.lastRequest();
        for (String name : List.of("x-auth-roles", "x-auth-subject", "x-auth-scopes", "x-auth-consumer",
                "x-auth-issuer")) {
            assertEquals(false, looseNames(got).contains(name), name + " reached the upstream: " + got);
        }
        assertEquals("kept", got.header("X_Other"), "other names with '_' pass");
        assertNull(got.header("X_Auth_Roles"));
    }
}
