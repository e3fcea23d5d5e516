package io.concierge.gateway.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import io.concierge.gateway.pool.UpstreamConnection;
import io.concierge.gateway.pool.UpstreamProtocolException;

/**
 * Decodes a chunked body (RFC 9112 section 7.1). Chunk extensions are ignored; trailer fields are
 * read and dropped. Sizes are parsed strictly: a size that is not hex, or too large, is a protocol
 * error rather than something to guess at.
 */
final class ChunkedInputStream extends InputStream {
    private static final int MAX_LINE = 4096;
    private final UpstreamConnection.HeadReader in;
    private long chunkRemaining;
    private boolean done;

    ChunkedInputStream(UpstreamConnection.HeadReader in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (done) {
            return -1;
        }
        if (chunkRemaining == 0) {
            chunkRemaining = nextChunkSize();
            if (chunkRemaining == 0) {
                readTrailers();
                done = true;
                return -1;
            }
        }
        int n = in.read(b, off, (int) Math.min(len, chunkRemaining));
        if (n < 0) {
            throw new EOFException("connection closed inside a chunk");
        }
        chunkRemaining -= n;
        if (chunkRemaining == 0) {
            String crlf = in.readLine(2);
            if (crlf == null || !crlf.isEmpty()) {
                throw new UpstreamProtocolException("chunk not followed by CRLF");
            }
        }
        return n;
    }

    private long nextChunkSize() throws IOException {
        String line = in.readLine(MAX_LINE);
        if (line == null) {
            throw new EOFException("connection closed before the next chunk");
        }
        int semi = line.indexOf(';');
        String hex = (semi >= 0 ? line.substring(0, semi) : line).trim();
        if (hex.isEmpty() || hex.length() > 15) {
            throw new UpstreamProtocolException("bad chunk size");
        }
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                throw new UpstreamProtocolException("bad chunk size");
            }
            size = size * 16 + d;
        }
        return size;
    }

    private void readTrailers() throws IOException {
        int total = 0;
        while (true) {
            String line = in.readLine(MAX_LINE);
            if (line == null) {
                throw new EOFException("connection closed in chunk trailers");
            }
            if (line.isEmpty()) {
                return;
            }
            total += line.length();
            if (total > 16 * 1024) {
                throw new UpstreamProtocolException("chunk trailers too large");
            }
        }
    }

    boolean complete() {
        return done;
    }
}
