package io.concierge.gateway.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.concierge.gateway.pipeline.Chain;
import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.RequestObserver;
import io.concierge.gateway.pipeline.Step;
import io.concierge.gateway.rewrite.RawPath;
import io.helidon.http.Method;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;

/**
 * Runs steps on a real Helidon request and response without a socket (Helidon's {@link DirectClient}):
 * the unit-test tier of a step. The exchange starts as the front steps leave it (request id
 * {@value #REQUEST_ID}, parsed path, client address {@value #CLIENT}); {@link #answer} is a fake
 * terminal step standing in for the upstream, and {@link #reached} says whether it ran.
 */
public final class DirectChain implements AutoCloseable {
    public static final String REQUEST_ID = "req-test-1";
    public static final String CLIENT = "127.0.0.1";

    private final DirectClient client;
    private final List<Exchange> exchanges = new ArrayList<>();

    private DirectChain(Chain chain, String clientIp) {
        HttpRouting.Builder routing = HttpRouting.builder().any((req, res) -> {
            Exchange ex = new Exchange(req, res, RequestObserver.NONE, clientIp);
            ex.requestId(REQUEST_ID);
            ex.path(RawPath.parse(req.prologue().uriPath().rawPath(), false));
            synchronized (exchanges) {
                exchanges.add(ex);
            }
            chain.proceed(ex);
        });
        this.client = new DirectClient(routing);
    }

    /** The steps in order; the last must answer. */
    public static DirectChain of(Step... steps) {
        return new DirectChain(Chain.of(List.of(steps)), CLIENT);
    }

    /** With another socket peer address. */
    public static DirectChain from(String clientIp, Step... steps) {
        return new DirectChain(Chain.of(List.of(steps)), clientIp);
    }

    public Http1ClientRequest get(String path) {
        return client.get(path);
    }

    public Http1ClientRequest method(Method method, String path) {
        return client.method(method).path(path);
    }

    /** The exchange of the last request, as the steps left it. */
    public Exchange lastExchange() {
        synchronized (exchanges) {
            return exchanges.get(exchanges.size() - 1);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    /** A fake upstream: a terminal step that answers with this status, headers and body. */
    public static Terminal answer(int status, Map<String, String> headers, String body) {
        return new Terminal(status, headers, body);
    }

    /** A terminal step that answers like a relayed upstream response and remembers that it ran. */
    public static final class Terminal implements Step {
        private final int status;
        private final Map<String, String> headers;
        private final String body;
        private volatile boolean reached;

        Terminal(int status, Map<String, String> headers, String body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        @Override
        public void handle(Exchange exchange, Chain next) {
            reached = true;
            var res = exchange.response();
            res.status(status);
            headers.forEach(res::header);
            res.send(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        public boolean reached() {
            return reached;
        }

        public void reset() {
            reached = false;
        }
    }
}
