package io.concierge.gateway.transform;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.config.YamlSource;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.testing.DirectChain;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.ClientResponseTyped;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The unit tier of the transform step: real Helidon request and response objects, a fake upstream, no socket. */
class TransformStepTest {

    private static TransformStep step(String yaml, TransformStats stats) {
        return TransformStep.forConfig("r", TransformConfig.read(YamlSource.parse("t.yaml", yaml, k -> null)
                .object("transform"), true), stats);
    }

    @Test
    void aStepWithoutEditsIsAbsentFromTheChain() {
        assertNull(step("transform: {}", new TransformStats()));
    }

    @Test
    void headerEditsAloneRegisterTheSharedStepNotAnObjectPerRequest() {
        TransformStep step = step("transform: {response: {headers: {remove: [Server], set: {X-A: a}}}}",
                new TransformStats());
        try (DirectChain chain = DirectChain.of(step, DirectChain.answer(200,
                Map.of("Server", "upstream", "Content-Type", "application/json"), "{\"a\":1}"))) {
            ClientResponseTyped<String> r = chain.get("/x").request(String.class);

            assertEquals("{\"a\":1}", r.entity());
            assertFalse("upstream".equals(r.headers().first(HeaderNames.SERVER).orElse(null)));
            assertEquals("a", r.headers().get(HeaderNames.create("X-A")).get());
        }
    }

    @Test
    void aJsonBodyIsTransformedAndItsHeadFixedUp() {
        TransformStats stats = new TransformStats();
        TransformStep step = step("transform: {response: {body: [{rename: {/name: title}}, {add: {/v: 2}}]}}", stats);
        try (DirectChain chain = DirectChain.of(step, DirectChain.answer(200,
                Map.of("Content-Type", "application/json; charset=utf-8", "ETag", "\"e1\""), "{\"name\":\"x\",\"n\":1}"))) {
            ClientResponseTyped<String> r = chain.get("/x").request(String.class);

            assertEquals("{\"title\":\"x\",\"n\":1,\"v\":2}", r.entity());
            assertTrue(r.headers().get(HeaderNames.ETAG).get().matches("W/\"e1-t[0-9a-f]+\""));
            assertEquals(String.valueOf(r.entity().length()), r.headers().get(HeaderNames.CONTENT_LENGTH).get());
            assertEquals(1, stats.count("r", "transformed"));
        }
    }

    @Test
    void requestEditsGoToTheUpstreamRequestNotTheClientsRequest() {
        TransformStep step = step("""
                transform:
                  request:
                    headers: {set: {X-Api: "2"}}
                    query: {remove: [debug], add: {page: "1"}}
                """, new TransformStats());
        try (DirectChain chain = DirectChain.of(step, DirectChain.answer(204, Map.of(), ""))) {
            chain.get("/x").queryParam("debug", "1").queryParam("q", "a").header(HeaderNames.create("X-Api"), "1")
                    .request().close();

            Exchange e = chain.lastExchange();
            assertEquals("q=a&page=1", e.upstreamQuery());
            assertFalse(e.upstreamHeaders().isEmpty());
            assertTrue(e.request().prologue().query().rawValue().contains("debug=1"), "the client's query is untouched");
            assertEquals("1", e.request().headers().get(HeaderNames.create("X-Api")).get());
        }
    }
}
