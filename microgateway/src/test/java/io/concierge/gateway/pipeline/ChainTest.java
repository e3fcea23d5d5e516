package io.concierge.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.concierge.gateway.testing.DirectChain;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.ClientResponseTyped;

/** The chain's contract, on Helidon's real request and response without a socket. */
class ChainTest {
    private static final HeaderName X_SEEN = HeaderNames.create("X-Seen");
    private static final HeaderName X_UPSTREAM = HeaderNames.create("X-Upstream");

    @Test
    void stepsRunInOrderAndAStepThatAnswersEndsTheChain() {
        List<String> ran = new CopyOnWriteArrayList<>();
        Step a = (ex, next) -> {
            ran.add("a");
            next.proceed(ex);
        };
        Step refuse = (ex, next) -> {
            ran.add("refuse");
            ex.response().status(403).send();
        };
        DirectChain.Terminal upstream = DirectChain.answer(200, Map.of(), "ok");
        try (DirectChain chain = DirectChain.of(a, refuse, upstream)) {
            assertEquals(403, chain.get("/x").request(String.class).status().code());
        }
        assertEquals(List.of("a", "refuse"), ran);
        assertFalse(upstream.reached(), "a step that answers does not proceed");
    }

    @Test
    void interceptorsChangeTheInnerAnswerBeforeItsHeadInnermostFirst() {
        Step outer = (ex, next) -> {
            ex.beforeHead((e, res) -> {
                res.header(X_SEEN, res.headers().first(X_SEEN).orElse("") + "outer");
                res.headers().remove(X_UPSTREAM);
            });
            next.proceed(ex);
        };
        Step inner = (ex, next) -> {
            ex.beforeHead((e, res) -> {
                res.header(X_SEEN, "inner(" + res.status().code() + ")>");
                res.status(299);
            });
            next.proceed(ex);
        };
        try (DirectChain chain = DirectChain.of(outer, inner,
                DirectChain.answer(201, Map.of("X-Upstream", "secret"), "body"))) {
            ClientResponseTyped<String> r = chain.get("/x").request(String.class);
            assertEquals(299, r.status().code(), "the inner interceptor changed the upstream's status");
            assertEquals("inner(201)>outer", r.headers().first(X_SEEN).orElse(null),
                    "the innermost interceptor saw the upstream's answer first, the outermost had the last word");
            assertFalse(r.headers().contains(X_UPSTREAM), "an upstream header was removed before it was sent");
            assertEquals("body", r.entity());
        }
    }

    @Test
    void anInterceptorAlsoActsOnAnAnswerOfALaterStep() {
        Step stamp = (ex, next) -> {
            ex.beforeHead((e, res) -> res.header(X_SEEN, "stamped"));
            next.proceed(ex);
        };
        Step refuse = (ex, next) -> ex.response().status(429).send("no".getBytes(StandardCharsets.UTF_8));
        try (DirectChain chain = DirectChain.of(stamp, refuse, DirectChain.answer(200, Map.of(), "ok"))) {
            ClientResponseTyped<String> r = chain.get("/x").request(String.class);
            assertEquals(429, r.status().code());
            assertEquals("stamped", r.headers().first(X_SEEN).orElse(null));
        }
    }

    @Test
    void aBodyInterceptorSeesAndRewritesBothSmallAndStreamedBodies() {
        Step upper = (ex, next) -> {
            ex.beforeHead(new ResponseInterceptor() {
                @Override
                public void beforeHead(Exchange exchange, ChainResponse response) {
                    response.header(X_SEEN, "body");
                }

                @Override
                public boolean readsBody() {
                    return true;
                }

                @Override
                public OutputStream body(Exchange exchange, OutputStream out) {
                    return new FilterOutputStream(out) {
                        @Override
                        public void write(int b) throws IOException {
                            out.write(Character.toUpperCase(b));
                        }

                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            out.write(new String(b, off, len, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT)
                                    .getBytes(StandardCharsets.ISO_8859_1));
                        }
                    };
                }
            });
            next.proceed(ex);
        };
        Step streamed = (ex, next) -> {
            try (OutputStream out = ex.response().outputStream()) {
                out.write("streamed ".getBytes(StandardCharsets.UTF_8));
                out.write("body".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        try (DirectChain chain = DirectChain.of(upper, DirectChain.answer(200, Map.of(), "small body"))) {
            ClientResponseTyped<String> r = chain.get("/x").request(String.class);
            assertEquals("SMALL BODY", r.entity(), "send(byte[]) went through the body interceptor");
            assertEquals("body", r.headers().first(X_SEEN).orElse(null));
        }
        try (DirectChain chain = DirectChain.of(upper, streamed)) {
            assertEquals("STREAMED BODY", chain.get("/x").request(String.class).entity());
        }
    }

    @Test
    void aStepReleasesWhatItTookWhenTheRestFails() {
        AtomicInteger permits = new AtomicInteger(1);
        Step bulkhead = (ex, next) -> {
            permits.decrementAndGet();
            try {
                next.proceed(ex);
            } finally {
                permits.incrementAndGet();
            }
        };
        Step broken = (ex, next) -> {
            throw new IllegalStateException("upstream step failed");
        };
        try (DirectChain chain = DirectChain.of(bulkhead, broken)) {
            assertEquals(500, chain.get("/x").request(String.class).status().code());
        }
        assertEquals(1, permits.get(), "the permit came back although the rest of the chain threw");
    }

    @Test
    void aLastStepThatProceedsIsAnAssemblyError() {
        Chain chain = Chain.of(List.of((ex, next) -> next.proceed(ex)));
        assertThrows(IllegalStateException.class, () -> chain.proceed(null));
        assertThrows(IllegalArgumentException.class, () -> Chain.of(List.of()));
    }

    @Test
    void aChainListsItsStepsInOrder() {
        Step a = (ex, next) -> next.proceed(ex);
        DirectChain.Terminal t = DirectChain.answer(200, Map.of(), "");
        assertEquals(List.of(a, t), Chain.of(List.of(a, t)).steps());
        assertTrue(Chain.of(List.of(t)).steps().contains(t));
    }
}
