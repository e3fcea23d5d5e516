package io.concierge.gateway.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.OptionalLong;

import io.concierge.gateway.resilience.ResilienceConfig;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * One client request on its way upstream, shared by every try: its checked head, how its body is
 * framed (and, for a retry, kept), its deadline and the instances it has tried. The resilience layers
 * read and set what they own here; {@link UpstreamExchange} writes it to one instance per try.
 */
public final class UpstreamRequest {
    private static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");

    private final ServerRequest req;
    private final ServerResponse res;
    private final ProxyCall call;
    private final Method method;
    private final String requestLine;
    /** The checked header lines every try sends (all but Host, trace context and framing). */
    private final RequestHeadWriter commonHead;
    /** The body goes upstream chunked: the client's was chunked, or came over HTTP/2 without a length. */
    private final boolean chunked;
    private final long length;
    private final boolean hasBody;
    private final boolean idempotencyKey;
    private final String framing;
    private final TriedInstances tried = new TriedInstances();
    /** The first byte of an HTTP/2 body without content-length, read to learn whether there is one. */
    private byte[] peeked;
    private int peekedLength;
    private InputStream bodyStream;
    private byte[] replayBody;
    private boolean retryEligible;
    private long deadline = Long.MAX_VALUE;

    private UpstreamRequest(ServerRequest req, ServerResponse res, ProxyCall call, Method method, String requestLine,
                            RequestHeadWriter commonHead) {
        this.req = req;
        this.res = res;
        this.call = call;
        this.method = method;
        this.requestLine = requestLine;
        this.commonHead = commonHead;
        boolean clientChunked = req.headers().contains(HeaderNames.TRANSFER_ENCODING);
        OptionalLong declared = req.headers().contentLength();
        boolean streamedH2 = false;
        if (!clientChunked && declared.isEmpty() && req.prologue().protocolVersion().startsWith("2")) {
            // HTTP/2 frames its body with DATA frames and END_STREAM; content-length is optional
            // (RFC 9113 §8.1.1). Whether a body follows shows only in the stream, so read its first
            // piece: none means no body, else the body is streamed upstream chunked.
            peekBody();
            streamedH2 = peekedLength > 0;
        }
        this.chunked = clientChunked || streamedH2;
        this.length = chunked ? -1 : declared.orElse(method == Method.POST || method == Method.PUT
                || method == Method.PATCH ? 0 : -1);
        this.hasBody = chunked || length > 0;
        this.framing = chunked ? "Transfer-Encoding: chunked\r\n"
                : length >= 0 ? "Content-Length: " + length + "\r\n" : "";
        this.idempotencyKey = req.headers().contains(IDEMPOTENCY_KEY);
    }

    /**
     * A request without a body and without a client connection, for driving the resilience layers
     * over an {@link InstanceExchange} that does not write to a socket.
     */
    public UpstreamRequest(ProxyCall call, Method method, boolean idempotencyKey) {
        this.req = null;
        this.res = null;
        this.call = call;
        this.method = method;
        this.requestLine = method.text() + " " + call.target() + " HTTP/1.1\r\n";
        this.commonHead = new RequestHeadWriter(0);
        this.chunked = false;
        this.length = -1;
        this.hasBody = false;
        this.idempotencyKey = idempotencyKey;
        this.framing = "";
    }

    /** Reads the first byte of an HTTP/2 body without a length, so may answer the client and throw. */
    static UpstreamRequest of(ServerRequest req, ServerResponse res, ProxyCall call, String requestLine,
                              RequestHeadWriter commonHead) {
        return new UpstreamRequest(req, res, call, req.prologue().method(), requestLine, commonHead);
    }

    public ProxyCall call() {
        return call;
    }

    public Method method() {
        return method;
    }

    public boolean hasBody() {
        return hasBody;
    }

    public boolean hasIdempotencyKey() {
        return idempotencyKey;
    }

    /** The instances this request has tried, refused or skipped so far; the balancer's memory across retries. */
    public TriedInstances tried() {
        return tried;
    }

    /** The edge's rules: retry only failures before any response byte; only a refusal ejects. */
    public boolean connectionScope() {
        return call.resilience() != null
                && call.resilience().config().failures() == ResilienceConfig.FailureScope.CONNECTION;
    }

    /** Starts the request's budget: every try and backoff must end by then. */
    public void startDeadline(Duration budget) {
        this.deadline = System.nanoTime() + budget.toNanos();
    }

    /** Nanoseconds left of the request's budget; zero or less when it has passed. */
    public long nanosLeft() {
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
    }

    /** Set once by the retry layer, before the first try: may this request ever be sent again. */
    public void retryEligible(boolean eligible) {
        this.retryEligible = eligible;
    }

    public boolean retryEligible() {
        return retryEligible;
    }

    /**
     * Keeps the body for replay when it has a known length within {@code max} bytes: reads it now so
     * every try can send it again.
     *
     * @return whether the body can be replayed (true when there is none)
     */
    public boolean keepBodyForReplay(int max) {
        if (!hasBody) {
            return true;
        }
        if (chunked || length > max) {
            return false;
        }
        try {
            replayBody = body().readAllBytes();
        } catch (IOException | RuntimeException e) {
            throw new ClientBodyException(e).answer(res, call.requestId());
        }
        if (replayBody.length != length) {
            throw new ClientBodyException(new IOException("request body ended after " + replayBody.length
                    + " of " + length + " bytes")).answer(res, call.requestId());
        }
        return true;
    }

    ServerRequest serverRequest() {
        return req;
    }

    ServerResponse response() {
        return res;
    }

    String requestLine() {
        return requestLine;
    }

    RequestHeadWriter commonHead() {
        return commonHead;
    }

    String framing() {
        return framing;
    }

    boolean chunked() {
        return chunked;
    }

    long length() {
        return length;
    }

    byte[] replayBody() {
        return replayBody;
    }

    byte[] peeked() {
        return peeked;
    }

    int peekedLength() {
        return peekedLength;
    }

    /** Helidon hands out a request's body stream once; every read of it goes through here. */
    InputStream body() {
        if (bodyStream == null) {
            bodyStream = req.content().inputStream();
        }
        return bodyStream;
    }

    /** One byte tells; a GET (END_STREAM on its HEADERS) allocates nothing here. */
    private void peekBody() {
        int first;
        try {
            first = body().read();
        } catch (IOException | RuntimeException e) {
            throw new ClientBodyException(e).answer(res, call.requestId());
        }
        if (first >= 0) {
            peeked = new byte[] {(byte) first};
            peekedLength = 1;
        }
    }
}
