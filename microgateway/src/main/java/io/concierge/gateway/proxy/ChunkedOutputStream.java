package io.concierge.gateway.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Encodes a request body of unknown length as chunks; {@link #finish()} writes the last chunk. */
final class ChunkedOutputStream extends OutputStream {
    private static final byte[] CRLF = {'\r', '\n'};
    private final OutputStream out;

    ChunkedOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        out.write(Integer.toHexString(len).getBytes(StandardCharsets.US_ASCII));
        out.write(CRLF);
        out.write(b, off, len);
        out.write(CRLF);
    }

    void finish() throws IOException {
        out.write(new byte[] {'0', '\r', '\n', '\r', '\n'});
    }
}
