package io.concierge.gateway.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.requestid.RequestIds;
import io.helidon.common.buffers.BufferData;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;

/**
 * A connection of a {@link ProtocolGate}: waits for the first request line, then hands the
 * connection to the protocol the gate picks. Until then it behaves as Helidon's HTTP/1 connection
 * does while reading a request line: the idle-connection check may interrupt it.
 */
final class GatedConnection implements ServerConnection, InterruptableTask<Void> {
    private final ConnectionContext ctx;
    private final ProtocolGate gate;
    private final long created = System.nanoTime();
    private volatile Thread thread;
    private volatile boolean peeking;
    private volatile boolean closed;
    private volatile ServerConnection inner;

    GatedConnection(ConnectionContext ctx, ProtocolGate gate) {
        this.ctx = ctx;
        this.gate = gate;
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
        thread = Thread.currentThread();
        byte[] line = firstLine();
        if (line != null && !RequestLines.startsWithToken(line)) {
            refuse();
            return;
        }
        ConnectionFraming framing = new ConnectionFraming(line != null && RequestLines.isHttp10(line));
        ServerConnection c = gate.serve(ctx, line);
        framing.serving(c);
        inner = c;
        if (closed) {
            return;
        }
        if (c instanceof io.helidon.webserver.http2.Http2Connection) {
            c.handle(limit);
        } else {
            framing.run(c, limit);
        }
    }

    /** 400 problem and close, as Helidon answers other malformed request lines. */
    private void refuse() {
        String requestId = RequestIds.generate();
        byte[] body = Problem.body(400, "Bad Request", "the request is malformed", requestId);
        String head = "HTTP/1.1 400 Bad Request\r\nContent-Type: " + Problem.MEDIA_TYPE + "\r\nX-Request-Id: "
                + requestId + "\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n\r\n";
        ctx.dataWriter().writeNow(BufferData.create(BufferData.create(head.getBytes(StandardCharsets.US_ASCII)),
                BufferData.create(body)));
    }

    /** The first line without its CRLF; null when it is too long or not CRLF-terminated (HTTP/1.1 refuses it). */
    private byte[] firstLine() {
        DataReader reader = ctx.dataReader();
        int max = gate.maxRequestLine();
        peeking = true;
        try {
            int eol = reader.findNewLine(max);
            if (eol >= max) {
                return null;
            }
            byte[] line = new byte[eol];
            if (eol > 0) {
                reader.getBuffer(eol).read(line);
            }
            return line;
        } catch (DataReader.IncorrectNewLineException e) {
            return null;
        } catch (DataReader.InsufficientDataAvailableException e) {
            throw new CloseConnectionException("connection closed before a request line", e);
        } finally {
            peeking = false;
        }
    }

    @Override
    public boolean canInterrupt() {
        ServerConnection c = inner;
        if (c == null) {
            return peeking;
        }
        return c instanceof InterruptableTask<?> t && t.canInterrupt();
    }

    @Override
    public Duration idleTime() {
        ServerConnection c = inner;
        return c != null ? c.idleTime() : Duration.ofNanos(System.nanoTime() - created);
    }

    @Override
    public void close(boolean interrupt) {
        closed = true;
        ServerConnection c = inner;
        if (c != null) {
            c.close(interrupt);
        } else if ((interrupt || peeking) && thread != null) {
            thread.interrupt();
        }
    }
}
