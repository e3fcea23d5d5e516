package io.concierge.gateway.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.concierge.gateway.balancing.Upstream;
import io.concierge.gateway.resilience.FallbackConfig;
import io.concierge.gateway.resilience.ResilienceConfig;
import io.concierge.gateway.resilience.ServiceResilience;
import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.requestid.RequestIds;
import io.helidon.faulttolerance.BulkheadException;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The streaming reverse proxy shared by the edge and every gateway: one client request becomes one
 * upstream exchange on a pooled keep-alive connection, bodies streamed both ways.
 *
 * <p>Failure rules: an instance that refuses the connection is skipped for this request (nothing
 * was sent, so any method may go elsewhere); a pooled connection that turns out dead before any
 * response byte is replaced by a fresh one only when the request is idempotent and has no body (or
 * a kept one), and when the instance then refuses, that counts against it and is a failure to retry; a
 * timeout waiting for the response is a 504; anything else before the response head is a 502; a
 * failure after the head was sent aborts the client connection, since the status is already out.
 * With a {@link ServiceResilience} more failures are retried within its budget and deadline: at a
 * gateway those of {@link ResilienceConfig.FailureScope#UPSTREAM}, at the edge only those of
 * {@link ResilienceConfig.FailureScope#CONNECTION}.
 */
public final class ProxyEngine {
    private static final Logger LOG = Logger.getLogger(ProxyEngine.class.getName());
    private static final int BUFFER = 16 * 1024;
    /** Largest response body relayed in one piece rather than streamed (see relaySmall). */
    private static final int SMALL_BODY = 8 * 1024;
    private static final Set<Method> IDEMPOTENT = Set.of(Method.GET, Method.HEAD, Method.OPTIONS, Method.PUT,
            Method.DELETE, Method.TRACE);
    private static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");
    private static final HeaderName FALLBACK = HeaderNames.create("Concierge-Fallback");
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "expect",
            "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded", "via", "x-request-id");

    private static final Set<String> TRACE_HEADERS = Set.of("traceparent", "tracestate", "baggage");

    private final String viaName;
    private final UpstreamObserver observer;

    /** @param viaName this hop's pseudonym in {@code Via}, e.g. {@code concierge-products} */
    public ProxyEngine(String viaName) {
        this(viaName, UpstreamObserver.NONE);
    }

    /** @param observer sees every try (telemetry: client spans, upstream latency) */
    public ProxyEngine(String viaName, UpstreamObserver observer) {
        this.viaName = viaName;
        this.observer = observer;
    }

    public void forward(ServerRequest req, ServerResponse res, UpstreamGroup group, String requestTarget,
                        Duration connectTimeout, Duration readTimeout, String requestId) {
        forward(req, res, group, requestTarget, connectTimeout, readTimeout, requestId, null);
    }

    /**
     * Forwards without resilience policies: no retries, no breaker; an instance that refuses the
     * connection is still skipped.
     *
     * @param changes headers the pipeline adds or strips on the way upstream, or null
     */
    public void forward(ServerRequest req, ServerResponse res, UpstreamGroup group, String requestTarget,
                        Duration connectTimeout, Duration readTimeout, String requestId, UpstreamHeaders changes) {
        forward(req, res, new ProxyCall(group, requestTarget, connectTimeout, readTimeout, requestId, changes, null,
                null, null));
    }

    public void forward(ServerRequest req, ServerResponse res, ProxyCall call) {
        String requestLine;
        String commonHead;
        try {
            // Everything the client chose is checked here, before an instance is even picked:
            // a refused head never opens a connection, let alone sends a byte.
            requestLine = RequestHeadWriter.requestLine(req.prologue().method().text(), call.target());
            commonHead = commonHead(req, call.requestId(), call.changes());
        } catch (UnsafeRequestHeadException e) {
            LOG.log(Level.FINE, () -> call.group().name() + ": request refused before forwarding: " + e.getMessage());
            Problem.send(res, 400, "Bad Request", e.getMessage(), call.requestId());
            return;
        }
        ServiceResilience rz = call.resilience();
        if (rz == null || rz.bulkhead() == null) {
            new Attempts(req, res, call, requestLine, commonHead).run();
            return;
        }
        try {
            rz.bulkhead().invoke(() -> {
                new Attempts(req, res, call, requestLine, commonHead).run();
                return null;
            });
        } catch (BulkheadException e) {
            rz.countBulkheadRejection();
            res.header(HeaderNames.RETRY_AFTER, "1");
            failure(res, call, 503, "Service Unavailable", "'" + call.group().name()
                    + "' is at its concurrency limit", true);
        }
    }

    /** The tries of one request: instance choice, retries, budget, deadline. */
    private final class Attempts {
        private final ServerRequest req;
        private final ServerResponse res;
        private final ProxyCall call;
        private final ServiceResilience rz;
        private final Method method;
        /** The body goes upstream chunked: the client's was chunked, or came over HTTP/2 without a length. */
        private final boolean chunked;
        private final long length;
        private final boolean hasBody;
        private final String requestLine;
        private final String commonHead;
        private final String framing;
        private final long deadline;
        /** The edge's rules: retry only failures before any response byte; only a refusal ejects. */
        private final boolean connectionScope;
        /** The first byte of an HTTP/2 body without content-length, read to learn whether there is one. */
        private byte[] peeked;
        private int peekedLength;
        private InputStream bodyStream;
        private byte[] replayBody;
        private boolean retryable;

        Attempts(ServerRequest req, ServerResponse res, ProxyCall call, String requestLine, String commonHead) {
            this.req = req;
            this.res = res;
            this.call = call;
            this.rz = call.resilience();
            this.connectionScope = rz != null && rz.config().failures() == ResilienceConfig.FailureScope.CONNECTION;
            this.method = req.prologue().method();
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
            Duration budget = call.deadline() != null ? call.deadline()
                    : rz != null ? rz.config().deadline() : Duration.ofDays(1);
            this.deadline = System.nanoTime() + budget.toNanos();
        }

        /** Helidon hands out a request's body stream once; every read of it goes through here. */
        private InputStream body() {
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

        void run() {
            if (rz != null) {
                rz.budget().onRequest();
                retryable = retryEligible();
            }
            Set<Upstream> excluded = new HashSet<>(4);
            Set<Upstream> unhealthy = null;
            long breakerWait = Long.MAX_VALUE;
            boolean panic = false;
            IOException lastConnectFailure = null;
            int tries = 0;
            while (true) {
                Upstream upstream = call.group().balancer().choose(call.group().instances(), excluded);
                if (upstream == null) {
                    if (!panic && unhealthy != null && excluded.size() == call.group().instances().size()
                            && tries == 0 && lastConnectFailure == null) {
                        // Every instance failed its health checks: better to try them than to refuse
                        // all traffic on the word of the checks alone.
                        panic = true;
                        excluded.removeAll(unhealthy);
                        continue;
                    }
                    break;
                }
                if (rz != null) {
                    if (!panic && !rz.isHealthy(upstream)) {
                        excluded.add(upstream);
                        if (unhealthy == null) {
                            unhealthy = new HashSet<>(4);
                        }
                        unhealthy.add(upstream);
                        continue;
                    }
                    if (rz.config().breaker().enabled() && !rz.breaker(upstream).tryAcquire()) {
                        excluded.add(upstream);
                        breakerWait = Math.min(breakerWait, rz.breaker(upstream).nanosUntilProbe());
                        continue;
                    }
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    release(upstream);
                    timedOut();
                    return;
                }
                Outcome outcome = attempt(upstream, Duration.ofNanos(remaining));
                switch (outcome) {
                    case DONE -> {
                        return;
                    }
                    case CONNECT_FAILED -> {
                        excluded.add(upstream);
                        lastConnectFailure = lastError;
                    }
                    case RETRY -> {
                        tries++;
                        excluded.add(upstream);
                        if (excluded.size() >= call.group().instances().size()) {
                            // A single instance (or all tried): the retry goes to one already tried.
                            excluded.clear();
                        }
                        if (!backoff(tries)) {
                            timedOut();
                            return;
                        }
                    }
                }
            }
            if (breakerWait != Long.MAX_VALUE && lastConnectFailure == null) {
                long seconds = Math.max(1, (breakerWait + 999_999_999L) / 1_000_000_000L);
                res.header(HeaderNames.RETRY_AFTER, String.valueOf(seconds));
                failure(res, call, 503, "Service Unavailable", "every instance of '" + call.group().name()
                        + "' is failing; its circuit breakers are open", true);
                return;
            }
            noInstance(lastConnectFailure);
        }

        private IOException lastError;

        private void release(Upstream upstream) {
            if (rz != null) {
                rz.breaker(upstream).release();
            }
        }

        /** One try against one instance. */
        private Outcome attempt(Upstream upstream, Duration remaining) {
            Duration readTimeout = min(call.readTimeout(), remaining);
            UpstreamObserver.Attempt observed = observer.start(call.group().name(), method.text(), upstream.host(),
                    upstream.port(), call.target());
            upstream.acquired();
            try {
                UpstreamConnection conn = upstream.pool().pooled();
                boolean fresh = conn == null;
                if (fresh) {
                    try {
                        conn = upstream.pool().open(min(call.connectTimeout(), remaining));
                    } catch (IOException e) {
                        observed.failed(e);
                        record(upstream, false);
                        lastError = e;
                        LOG.log(Level.FINE, () -> call.group().name() + ": " + upstream + " refused: " + e);
                        return Outcome.CONNECT_FAILED;
                    }
                }
                String head;
                try {
                    head = RequestHeadWriter.assemble(requestLine, upstream.authority(), commonHead,
                            observed.headers(), framing);
                } catch (UnsafeRequestHeadException e) {
                    // Not the client's bytes but an instance address from discovery: that instance is broken.
                    conn.close();
                    observed.failed(e);
                    return failed(upstream, new UpstreamProtocolException("instance address unusable in Host"), false);
                }
                ResponseHead response;
                long receivedBefore = conn.in().received();
                try {
                    response = sendOnce(conn, head, readTimeout);
                } catch (ClientBodyException e) {
                    conn.close();
                    release(upstream);
                    observed.failed(e);
                    throw e.answer(res, call.requestId());
                } catch (IOException e) {
                    conn.close();
                    boolean nothingSent = !hasBody || replayBody != null;
                    boolean answerBegan = conn.in().received() != receivedBefore;
                    if (!fresh && nothingSent && (IDEMPOTENT.contains(method) || retryable)
                            && !(e instanceof SocketTimeoutException) && !(connectionScope && answerBegan)) {
                        // Usually a keep-alive connection the upstream had already closed. It may
                        // also have answered garbage after processing the request; one more try on
                        // a new connection is still safe, because only idempotent requests (or
                        // POSTs with an Idempotency-Key that opted in) come here. The edge does not
                        // re-send once an answer began (its rule: nothing after a response byte).
                        try {
                            conn = upstream.pool().open(min(call.connectTimeout(), remaining));
                        } catch (IOException refused) {
                            // The instance itself is gone (killed, restarting), not just this
                            // connection: count it against the instance and move on as a retry,
                            // since the request may have reached it on the stale connection.
                            observed.failed(refused);
                            record(upstream, false);
                            lastError = refused;
                            return retryOrFail(refused);
                        }
                        try {
                            response = sendOnce(conn, head, readTimeout);
                        } catch (ClientBodyException clientFailure) {
                            conn.close();
                            release(upstream);
                            observed.failed(clientFailure);
                            throw clientFailure.answer(res, call.requestId());
                        } catch (IOException retryFailure) {
                            conn.close();
                            observed.failed(retryFailure);
                            return failed(upstream, retryFailure, conn.in().received() > 0);
                        }
                    } else {
                        observed.failed(e);
                        return failed(upstream, e, answerBegan);
                    }
                }
                int status = response.status();
                observed.status(status);
                if (!connectionScope) {
                    // At the edge a gateway's 5xx is its service's answer, no verdict on the gateway.
                    record(upstream, status < 500);
                }
                if ((status == 502 || status == 503 || status == 504) && !connectionScope && canRetry()) {
                    conn.close();
                    return Outcome.RETRY;
                }
                if ((status == 502 || status == 503 || status == 504) && call.fallback() != null) {
                    conn.close();
                    failure(res, call, status, "", "", false);
                    return Outcome.DONE;
                }
                relay(conn, upstream, response, req, res, method, call.requestId(), call.changes());
                return Outcome.DONE;
            } catch (RuntimeException e) {
                observed.failed(e);
                throw e;
            } finally {
                upstream.released();
                observed.end();
            }
        }

        /**
         * The exchange failed after the connection was made.
         *
         * @param answerBegan whether any byte of a response had arrived
         */
        private Outcome failed(Upstream upstream, IOException e, boolean answerBegan) {
            if (connectionScope) {
                // A reset is no verdict on a gateway (it also closes idle connections), and after
                // a response byte or a timeout the gateway may be working on it: no retry then.
                if (answerBegan || e instanceof SocketTimeoutException) {
                    fail(res, call, e);
                    return Outcome.DONE;
                }
            } else {
                record(upstream, false);
            }
            return retryOrFail(e);
        }

        private Outcome retryOrFail(IOException e) {
            if (canRetry()) {
                return Outcome.RETRY;
            }
            fail(res, call, e);
            return Outcome.DONE;
        }

        private void record(Upstream upstream, boolean success) {
            if (rz != null) {
                rz.record(upstream, success);
            }
        }

        private boolean canRetry() {
            if (!retryable || deadline - System.nanoTime() <= 0) {
                return false;
            }
            attemptsLeft--;
            if (attemptsLeft <= 0) {
                return false;
            }
            if (!rz.budget().tryRetry()) {
                return false;
            }
            rz.countRetry();
            return true;
        }

        private int attemptsLeft = Integer.MAX_VALUE;

        /** Decides once, before the first try, whether this request may ever be retried. */
        private boolean retryEligible() {
            ResilienceConfig.Retry policy = rz.config().retry();
            attemptsLeft = policy.attempts();
            if (policy.attempts() <= 1) {
                return false;
            }
            boolean methodOk = policy.methods().contains(method.text())
                    || policy.idempotentPost() && (method == Method.POST || method == Method.PATCH)
                    && req.headers().contains(IDEMPOTENCY_KEY);
            if (!methodOk) {
                return false;
            }
            if (!hasBody) {
                return true;
            }
            if (chunked || length > policy.maxReplayBody()) {
                return false;
            }
            // Small enough to keep: read it now so every try can send it again.
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

        private ResponseHead sendOnce(UpstreamConnection conn, String head, Duration readTimeout) throws IOException {
            conn.readTimeout(readTimeout);
            OutputStream out = conn.out();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (replayBody != null) {
                out.write(replayBody);
            } else if (hasBody) {
                writeBody(peeked, peekedLength, body(), out, chunked, length);
            }
            out.flush();
            ResponseHead response = ResponseHead.readFinal(conn, System.nanoTime() + readTimeout.toNanos());
            conn.readTimeout(readTimeout); // readFinal shortened it; each body read gets the whole timeout again
            return response;
        }

        /** Full-jitter exponential backoff within the deadline; false when the deadline leaves no room. */
        private boolean backoff(int retry) {
            ResilienceConfig.Retry policy = rz.config().retry();
            long ceiling = Math.min(policy.backoffMax().toNanos(),
                    policy.backoffBase().toNanos() << Math.min(20, retry - 1));
            long pause = ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
            long remaining = deadline - System.nanoTime();
            if (pause >= remaining) {
                return false;
            }
            if (pause > 0) {
                try {
                    Thread.sleep(Duration.ofNanos(pause));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }

        private void timedOut() {
            failure(res, call, 504, "Gateway Timeout", "'" + call.group().name()
                    + "' did not answer within the request's deadline", true);
        }

        private void noInstance(IOException lastFailure) {
            if (lastFailure instanceof SocketTimeoutException || lastFailure != null
                    && !(lastFailure instanceof ConnectException) && lastFailure.getMessage() != null
                    && lastFailure.getMessage().contains("timed out")) {
                failure(res, call, 504, "Gateway Timeout", "no instance of '" + call.group().name()
                        + "' accepted a connection in time", true);
                return;
            }
            failure(res, call, 502, "Bad Gateway", call.group().instances().isEmpty()
                    ? "'" + call.group().name() + "' has no instances"
                    : "no instance of '" + call.group().name() + "' accepted the connection", true);
        }
    }

    private enum Outcome { DONE, CONNECT_FAILED, RETRY }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Answers a failed request: the route's fallback when it has one, else problem+json. */
    private static void failure(ServerResponse res, ProxyCall call, int status, String title, String detail,
                                boolean gatewayError) {
        FallbackConfig fb = call.fallback();
        if (fb != null) {
            if (call.resilience() != null) {
                call.resilience().countFallback();
            }
            res.headers().remove(HeaderNames.RETRY_AFTER);
            res.status(Status.create(fb.status()));
            res.header(HeaderNames.CONTENT_TYPE, fb.contentType());
            res.header(FALLBACK, "static");
            fb.headers().forEach(res::header);
            res.send(fb.body());
            return;
        }
        Problem.send(res, status, title, detail, call.requestId());
    }

    private String commonHead(ServerRequest req, String requestId, UpstreamHeaders changes)
            throws UnsafeRequestHeadException {
        HopByHop hop = HopByHop.of(req.headers().values(HeaderNames.CONNECTION));
        RequestHeadWriter sb = new RequestHeadWriter(512);
        for (Header h : req.headers()) {
            String lower = h.name().toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(lower) || hop.isHopByHop(lower) || changes != null && changes.isRemoved(lower)
                    || observer.replacesTraceHeaders() && TRACE_HEADERS.contains(lower)) {
                continue;
            }
            for (String v : h.allValues()) {
                sb.header(h.name(), v);
            }
        }
        if (changes != null) {
            for (String[] h : changes.added()) {
                sb.header(h[0], h[1]);
            }
        }
        ForwardedHeaders.append(sb, req, viaName, changes);
        sb.header("X-Request-Id", requestId);
        return sb.lines();
    }

    /** @param first bytes of the body read already (or null), sent before the rest */
    private static void writeBody(byte[] first, int firstLength, InputStream body, OutputStream out, boolean chunked,
                                  long length) throws IOException {
        byte[] buf = new byte[BUFFER];
        OutputStream target = chunked ? new ChunkedOutputStream(out) : out;
        long copied = 0;
        if (firstLength > 0) {
            target.write(first, 0, firstLength);
            copied = firstLength;
        }
        while (true) {
            int n;
            try {
                n = body.read(buf);
            } catch (IOException | RuntimeException e) {
                throw new ClientBodyException(e);
            }
            if (n < 0) {
                break;
            }
            target.write(buf, 0, n);
            copied += n;
        }
        if (chunked) {
            ((ChunkedOutputStream) target).finish();
        } else if (copied != length) {
            throw new ClientBodyException(new IOException("request body ended after " + copied + " of " + length + " bytes"));
        }
    }

    private void relay(UpstreamConnection conn, Upstream upstream, ResponseHead response, ServerRequest req,
                       ServerResponse res, Method method, String requestId, UpstreamHeaders changes) {
        int status = response.status();
        boolean noBody = method == Method.HEAD || status == 204 || status == 304;
        long length;
        try {
            length = response.hasTransferEncoding() ? -1 : response.contentLength();
        } catch (UpstreamProtocolException e) {
            conn.close();
            Problem.send(res, 502, "Bad Gateway", "the upstream sent an invalid response", requestId);
            return;
        }
        res.status(response.reason().isEmpty() ? Status.create(status) : Status.create(status, response.reason()));
        HopByHop hop = HopByHop.of(response.values("Connection"));
        List<String> via = response.values("Via");
        for (String[] h : response.headers()) {
            String lower = h[0].toLowerCase(Locale.ROOT);
            if (hop.isHopByHop(lower) || lower.equals("content-length") || lower.equals("via")
                    || lower.equals("x-request-id") || lower.equals("date")
                    || changes != null && changes.dropsFromResponse(lower)) {
                continue;
            }
            res.headers().add(HeaderValues.create(h[0], h[1]));
        }
        String viaValue = response.http11() ? "1.1 " + viaName : "1.0 " + viaName;
        res.headers().set(HeaderNames.VIA, via.isEmpty() ? viaValue : String.join(", ", via) + ", " + viaValue);
        res.headers().set(RequestIds.HEADER, requestId);
        boolean reusable = !response.connectionClose();
        if (noBody) {
            if (method == Method.HEAD && length >= 0) {
                res.headers().set(HeaderNames.CONTENT_LENGTH, length);
            }
            res.send();
            finish(conn, upstream, reusable);
            return;
        }
        if (length >= 0 && length <= SMALL_BODY && !response.chunked()) {
            relaySmall(conn, upstream, res, (int) length, reusable, requestId);
            return;
        }
        InputStream body;
        if (response.chunked()) {
            body = new ChunkedInputStream(conn.in());
        } else if (length >= 0) {
            res.headers().set(HeaderNames.CONTENT_LENGTH, length);
            body = new FixedLengthInputStream(conn.in(), length);
        } else {
            // No framing: the body runs until the upstream closes the connection.
            body = conn.in();
            reusable = false;
        }
        byte[] buf = new byte[BUFFER];
        boolean clean = false;
        try (OutputStream out = res.outputStream()) {
            int n;
            while ((n = body.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            clean = true;
        } catch (IOException e) {
            // The status line is gone already; all that is left is to cut the client connection so
            // it cannot mistake a truncated body for a complete one.
            throw new UncheckedIOException("response body from " + upstream + " failed", e);
        } finally {
            if (clean && reusable) {
                upstream.pool().release(conn);
            } else {
                conn.close();
            }
        }
    }

    /**
     * A body with a Content-Length of at most {@link #SMALL_BODY} bytes (most API answers) is read
     * whole and handed to Helidon in one {@code send}: no 16 KiB copy buffer and no response output
     * stream per request, which measurably cut allocation and CPU per proxied request. The size is
     * bounded, so this is no more buffering than the streaming copy's own buffer. Since nothing has
     * been sent when the upstream fails mid-body, the client gets a clean 502 instead of a cut
     * connection.
     */
    private static void relaySmall(UpstreamConnection conn, Upstream upstream, ServerResponse res, int length,
                                   boolean reusable, String requestId) {
        byte[] body = new byte[length];
        try {
            InputStream in = conn.in();
            int off = 0;
            while (off < length) {
                int n = in.read(body, off, length - off);
                if (n < 0) {
                    throw new UpstreamProtocolException("response body ended after " + off + " of " + length + " bytes");
                }
                off += n;
            }
        } catch (IOException e) {
            conn.close();
            LOG.log(Level.FINE, () -> upstream + ": response body failed: " + e);
            res.headers().clear();
            res.header(RequestIds.HEADER, requestId);
            Problem.send(res, 502, "Bad Gateway", "the upstream's response body was cut short", requestId);
            return;
        }
        finish(conn, upstream, reusable);
        res.send(body);
    }

    private static void finish(UpstreamConnection conn, Upstream upstream, boolean reusable) {
        if (reusable) {
            upstream.pool().release(conn);
        } else {
            conn.close();
        }
    }

    private static void fail(ServerResponse res, ProxyCall call, IOException e) {
        if (e instanceof SocketTimeoutException) {
            failure(res, call, 504, "Gateway Timeout", "'" + call.group().name() + "' did not answer within "
                    + call.readTimeout().toMillis() + " ms", true);
        } else {
            LOG.log(Level.FINE, () -> call.group().name() + ": exchange failed: " + e);
            failure(res, call, 502, "Bad Gateway", "'" + call.group().name() + "' failed to answer: "
                    + (e instanceof UpstreamProtocolException ? e.getMessage() : "connection lost"), true);
        }
    }

    /** The client's own body failed (aborted upload, read timeout): not the upstream's fault. */
    private static final class ClientBodyException extends IOException {
        ClientBodyException(Exception cause) {
            super(cause.getMessage(), cause);
        }

        /**
         * Answers 400 and ends the connection. A body that fails to arrive is the client's error
         * (malformed chunks, for which Helidon throws a bare NumberFormatException; an upload cut
         * short; a read timeout), so never a 500. The connection cannot be reused: where this body
         * stops, and so where a next request would start, is unknown, and Helidon keeps reading after
         * a "Connection: close" response. Only this exception makes it close.
         */
        CloseConnectionException answer(ServerResponse res, String requestId) {
            try {
                res.header(HeaderNames.CONNECTION, "close");
                if (getCause() instanceof io.helidon.http.HttpException refused) {
                    // A limit on the body tripped while streaming it (the route's max-body-size: 413).
                    Problem.send(res, refused.status().code(), refused.status().reasonPhrase(), refused.getMessage(),
                            requestId);
                } else if (timedOut()) {
                    // server.read-timeout: the client stopped sending in the middle of its body.
                    Problem.send(res, 408, "Request Timeout", "the request body stopped arriving", requestId);
                } else {
                    Problem.send(res, 400, "Bad Request", "the request body could not be read", requestId);
                }
            } catch (RuntimeException clientGone) {
                // nobody is left to tell
            }
            return new CloseConnectionException("request body failed: " + getMessage(), this);
        }

        private boolean timedOut() {
            for (Throwable t = getCause(); t != null; t = t.getCause()) {
                if (t instanceof java.net.SocketTimeoutException) {
                    return true;
                }
            }
            return false;
        }
    }
}
