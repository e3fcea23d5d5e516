package io.concierge.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.concierge.gateway.requestid.RequestIds;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.Http1HeadersParser;

/**
 * The proxy's allocation-free shortcuts for header work give exactly what the general code they
 * stand in for gives: Helidon's {@code values(name)} joined (forwarding headers, {@code Via}), the
 * request id rule, hop-by-hop names in any case, and header removal with prebuilt name sets. The
 * headers are parsed from wire bytes by Helidon's own HTTP/1 parser, as the server does.
 */
class HeaderFastPathsTest {
    private static final HeaderName XFF = HeaderNames.create("X-Forwarded-For");

    private static Headers parse(String lines) {
        byte[] bytes = (lines + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[][] once = {bytes};
        DataReader reader = new DataReader(() -> {
            byte[] b = once[0];
            once[0] = null;
            return b;
        });
        return Http1HeadersParser.readHeaders(reader, 8192, true);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "X-Forwarded-For: 10.0.0.1\r\n",
            "X-Forwarded-For:   10.0.0.1  \r\n",
            "X-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n",
            "X-Forwarded-For: 10.0.0.1,10.0.0.2,\r\n",
            "X-Forwarded-For: \"a,b\", c\r\n",
            "X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\n",
            "X-Forwarded-For: \r\n",
            "x-forwarded-for: 10.0.0.9\r\n"})
    void joinedValuesAreHelidonsValuesJoined(String lines) {
        Headers headers = parse(lines);
        assertEquals(String.join(", ", headers.values(XFF)), HeaderValuesOf.joined(headers, XFF), lines);
    }

    @Test
    void joinedValuesOfAnAbsentHeaderAreNull() {
        assertNull(HeaderValuesOf.joined(parse("Host: a\r\n"), XFF));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc-123", "a,b", "\"a,b\"", "abc,", "", "a b", "caf\u00e9"})
    void aRequestIdIsKeptExactlyWhenTheOneValueIsSane(String id) {
        Headers headers = parse("X-Request-Id: " + id + "\r\n");
        List<String> values = headers.values(RequestIds.HEADER);
        boolean keptBefore = values.size() == 1 && !values.get(0).isEmpty() && values.get(0).length() <= 128
                && values.get(0).chars()
                        .allMatch(c -> c < 128 && Character.isLetterOrDigit(c) || "-_.:+=/".indexOf(c) >= 0);
        String resolved = RequestIds.resolve(headers);
        assertEquals(keptBefore, resolved.equals(values.get(0)), id + " -> " + resolved);
    }

    @Test
    void twoRequestIdLinesAreReplaced() {
        Headers headers = parse("X-Request-Id: a\r\nX-Request-Id: b\r\n");
        String resolved = RequestIds.resolve(headers);
        assertFalse(resolved.equals("a") || resolved.equals("b"), resolved);
    }

    @Test
    void hopByHopNamesMatchInAnyCaseAsTheirLowerCaseDoes() {
        List<String> names = List.of("Connection", "KEEP-ALIVE", "Proxy-Connection", "TE", "Trailer",
                "Transfer-Encoding", "Upgrade", "X-Hop", "x-HOP", "X-Other", "Content-Type", "\u00c0-x");
        for (List<String> connection : List.of(List.<String>of(), List.of("keep-alive"), List.of("Close, X-Hop"),
                List.of("close", "X-HOP ,, upgrade"), List.of("\u00c0-X"))) {
            HopByHop hop = HopByHop.of(connection);
            for (String name : names) {
                assertEquals(hop.isHopByHop(name.toLowerCase(Locale.ROOT)), hop.isHopByHopAnyCase(name),
                        connection + " / " + name);
            }
        }
        assertTrue(HopByHop.of(List.of("close, X-Hop")).isHopByHopAnyCase("x-hop"));
        assertFalse(HopByHop.of(List.of("close")).isHopByHopAnyCase("X-Hop"));
    }

    @Test
    void aConnectionHeaderNamingOnlyStandardFieldsSharesOneInstance() {
        assertSame(HopByHop.of(List.of()), HopByHop.of(List.of("keep-alive")));
        assertSame(HopByHop.of(List.of()), HopByHop.of(List.of("Keep-Alive", " ,Upgrade")));
    }

    @Test
    void prebuiltStrippedNamesRemoveLikeSingleNames() {
        StrippedHeaderNames identity = StrippedHeaderNames.of(List.of("X-Auth-Subject", "x_auth_roles"));
        UpstreamHeaders prebuilt = new UpstreamHeaders();
        assertTrue(prebuilt.isEmpty());
        prebuilt.remove(identity);
        UpstreamHeaders single = new UpstreamHeaders();
        single.remove("X-Auth-Subject");
        single.remove("x_auth_roles");
        for (String lower : List.of("x-auth-subject", "x_auth_subject", "x-auth-roles", "x_auth_roles", "x-auth-other")) {
            assertEquals(single.isRemoved(lower), prebuilt.isRemoved(lower), lower);
        }
        assertFalse(prebuilt.isEmpty());
        assertTrue(prebuilt.added().isEmpty());

        prebuilt.remove(StrippedHeaderNames.of(List.of("Forwarded")));
        prebuilt.add("X-Auth-Consumer", "c1");
        assertTrue(prebuilt.isRemoved("forwarded"));
        assertTrue(prebuilt.isRemoved("x-auth-subject"));
        assertTrue(prebuilt.isRemoved("x_auth_consumer"));
        assertEquals("c1", prebuilt.added().get(0)[1]);
    }

    @Test
    void anEmptyNameSetChangesNothing() {
        UpstreamHeaders h = new UpstreamHeaders();
        h.remove(StrippedHeaderNames.of(List.of()));
        assertTrue(h.isEmpty());
        assertFalse(h.isRemoved("x-any"));
    }
}
