package io.concierge.gateway.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.UnaryOperator;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.ServerResponseTrailers;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * The response every step and the terminal step write to: Helidon's own response, except that the
 * first {@code send} or {@code outputStream()} first runs the exchange's {@link ResponseInterceptor}s,
 * so steps that proceeded can change the status and headers of whatever answer comes back before
 * its head is written, and wrap its body.
 *
 * <p>Why not build on Helidon's {@code Filter}/{@code FilterChain}: a Helidon filter can act after
 * {@code proceed()} only on a response that is already sent, because {@code send} writes the head at
 * once and Helidon 4.3.0 offers no hook before it; the stream filter covers only {@code outputStream()},
 * not {@code send(byte[])}, which the proxy uses for small bodies. Status and headers stay Helidon's:
 * nothing is copied, the wrapper only moves the moment the interceptors run.
 */
public final class ChainResponse implements ServerResponse {
    private final ServerResponse delegate;
    private final Exchange exchange;
    private boolean headDone;
    private boolean bodyRead;

    ChainResponse(ServerResponse delegate, Exchange exchange) {
        this.delegate = delegate;
        this.exchange = exchange;
    }

    /** The server's own response, for code that must bypass the interceptors (none today). */
    public ServerResponse unwrap() {
        return delegate;
    }

    private void beforeHead() {
        if (!headDone) {
            headDone = true;
            bodyRead = exchange.runInterceptors(this);
        }
    }

    @Override
    public ServerResponse status(Status status) {
        delegate.status(status);
        return this;
    }

    @Override
    public Status status() {
        return delegate.status();
    }

    @Override
    public ServerResponse header(Header header) {
        delegate.header(header);
        return this;
    }

    @Override
    public ServerResponseHeaders headers() {
        return delegate.headers();
    }

    @Override
    public ServerResponseTrailers trailers() {
        return delegate.trailers();
    }

    @Override
    public void send() {
        beforeHead();
        delegate.send();
    }

    @Override
    public void send(byte[] bytes) {
        send(bytes, 0, bytes.length);
    }

    @Override
    public void send(byte[] bytes, int position, int length) {
        if (!headDone && !delegate.headers().contains(HeaderNames.CONTENT_LENGTH)) {
            // Known here, and a body interceptor that keeps the length keeps it fixed-length.
            delegate.headers().set(HeaderNames.CONTENT_LENGTH, length);
        }
        beforeHead();
        if (!bodyRead) {
            if (position == 0 && length == bytes.length) {
                delegate.send(bytes);
            } else {
                delegate.send(bytes, position, length);
            }
            return;
        }
        try (OutputStream out = outputStream()) {
            out.write(bytes, position, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void send(Object entity) {
        if (entity instanceof byte[] bytes) {
            send(bytes);
            return;
        }
        // Entities go through Helidon's media support; a body interceptor sees byte and stream bodies only.
        beforeHead();
        delegate.send(entity);
    }

    @Override
    public OutputStream outputStream() {
        beforeHead();
        OutputStream out = delegate.outputStream();
        return bodyRead ? exchange.interceptBody(out) : out;
    }

    @Override
    public boolean isSent() {
        return delegate.isSent();
    }

    @Override
    public long bytesWritten() {
        return delegate.bytesWritten();
    }

    @Override
    public ServerResponse whenSent(Runnable listener) {
        delegate.whenSent(listener);
        return this;
    }

    @Override
    public ServerResponse reroute(String newPath) {
        delegate.reroute(newPath);
        return this;
    }

    @Override
    public ServerResponse reroute(String path, UriQuery query) {
        delegate.reroute(path, query);
        return this;
    }

    @Override
    public ServerResponse next() {
        delegate.next();
        return this;
    }

    @Override
    public void streamResult(String result) {
        delegate.streamResult(result);
    }

    @Override
    public void streamFilter(UnaryOperator<OutputStream> filterFunction) {
        delegate.streamFilter(filterFunction);
    }
}
