package io.concierge.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.ConfigException;
import io.concierge.gateway.domainconfig.GatewayConfig;

/** Security configuration: every mistake is a startup error naming the file and YAML path. */
class SecurityConfigTest {
    static final String HEAD = """
            domain: cfg
            prefixes: [/api]
            services:
              backend:
                instances: [{url: "http://127.0.0.1:1"}]
            """;
    static final String ROUTE = """
            routes:
              - id: r
                match: {path: "/api/{id}"}
                service: backend
            """;

    static GatewayConfig parse(String security, String routeExtra) {
        return GatewayConfig.parse("gw.yaml", HEAD + security + ROUTE + routeExtra, Map.of("SECRET",
                "0123456789abcdef0123456789abcdef")::get);
    }

    static String error(String security, String routeExtra) {
        return assertThrows(ConfigException.class, () -> parse(security, routeExtra)).getMessage();
    }

    static String issuer(String body) {
        return "security:\n  jwt:\n    issuers:\n      demo:\n" + body.indent(8);
    }

    @Test
    void aWorkingConfiguration() {
        GatewayConfig c = parse(issuer("issuer: demo\nalgorithms: [HS256]\nsecret: ${SECRET}") + """
                  default-access: authenticated
                  trusted-proxies: [10.0.0.0/8, "fd00::/8"]
                """, """
                    auth: {roles: [admin], owner: {path-param: id, unless-roles: [admin]}}
                    ip: {deny: [192.0.2.0/24]}
                    max-body-size: 64KB
                """);
        RouteAuthConfig a = c.routes().get(0).auth();
        assertEquals(65536, a.maxBodySize());
        assertTrue(a.ipDeny().contains("192.0.2.9"));
        assertFalse(a.ipDeny().contains("192.0.3.9"));
        assertEquals(Access.AUTHENTICATED, a.effectiveAccess(c.security()));
        assertFalse(c.security().issuers().get("demo").toString().contains("0123456789abcdef"),
                "the secret never shows in toString (logs, exception messages)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "algorithms: [none]|security.jwt.issuers.demo.algorithms[0]: unsigned tokens are never accepted 'none'",
            "algorithms: [HS256, RS256]|security.jwt.issuers.demo.algorithms: RS256 needs public keys (jwks); an issuer with a secret allows only HS256/384/512",
            "algorithms: [HS512]|security.jwt.issuers.demo.secret: HS512 needs a secret of at least 64 bytes (was 32)",
            "algorithms: [XS256]|security.jwt.issuers.demo.algorithms[0]: unknown algorithm 'XS256'",
    })
    void issuerMistakes(String algorithms, String expected) {
        String msg = error(issuer("issuer: demo\n" + algorithms + "\nsecret: ${SECRET}"), "");
        assertTrue(msg.startsWith("gw.yaml: " + expected), msg);
    }

    @Test
    void anIssuerHasExactlyOneKeySource() {
        assertEquals("gw.yaml: security.jwt.issuers.demo: (root): either 'secret' (HS256/384/512) or 'jwks' (RS/PS/ES) is required, and not both"
                        .replace(": (root)", ""),
                error(issuer("issuer: demo\nalgorithms: [RS256]"), ""));
        assertEquals("gw.yaml: security.jwt.issuers.demo.algorithms: HS256 needs a shared secret; an issuer with jwks allows only RS/PS/ES algorithms",
                error(issuer("issuer: demo\nalgorithms: [HS256]\njwks: {url: \"http://127.0.0.1:1/k\"}"), ""));
        assertEquals("gw.yaml: security.jwt.issuers.demo.algorithms: is required: list the algorithms this issuer may use"
                        + " (" + JwtAlgorithm.ALLOWED + ")",
                error(issuer("issuer: demo\nsecret: ${SECRET}"), ""));
    }

    @Test
    void apiKeysAreOnlyEverHashes() {
        String msg = error("security:\n  api-keys:\n    consumers:\n      ci: {keys: [my-plain-key-123]}\n", "");
        assertTrue(msg.startsWith("gw.yaml: security.api-keys.consumers.ci.keys[0]: must be 'sha256:'"), msg);
        assertFalse(msg.contains("my-plain-key-123"), "the value is never echoed");
    }

    @Test
    void routeMistakes() {
        String sec = issuer("issuer: demo\nalgorithms: [HS256]\nsecret: ${SECRET}");
        assertEquals("gw.yaml: routes[0].auth.owner.path-param: the route's path '/api/{id}' has no {user} segment",
                error(sec, "    auth: {owner: {path-param: user}}\n"));
        assertEquals("gw.yaml: routes[0].auth.access: a public route cannot require credentials, roles, scopes or an owner",
                error(sec, "    auth: {access: public, roles: [admin]}\n"));
        assertEquals("gw.yaml: routes[0].auth.credentials: api-key needs at least one entry in security.api-keys.consumers",
                error(sec, "    auth: {credentials: [api-key]}\n"));
        assertEquals("gw.yaml: routes[0].auth: the route needs callers to authenticate, but security.jwt.issuers"
                + " and security.api-keys.consumers are both empty", error("", "    auth: {roles: [admin]}\n"));
        assertEquals("gw.yaml: routes[0].ip.deny[0]: '10.0.0.300' is not an IP address or CIDR range (e.g. 10.0.0.0/8, 192.0.2.7, 2001:db8::/32)",
                error("", "    ip: {deny: [10.0.0.300]}\n"));
        assertEquals("gw.yaml: routes[0].max-body-size: bad size 'lots' (use bytes or a whole number with KB, MB or GB, e.g. 1MB)",
                error("", "    max-body-size: lots\n"));
        String unknown = error("", "    auth: {rolez: [admin]}\n");
        assertTrue(unknown.startsWith("gw.yaml: routes[0].auth.rolez: unknown key"), unknown);
    }
}
