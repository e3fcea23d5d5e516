package io.concierge.gateway.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One stored response (RFC 9111 section 3), or a Vary marker: the entry at a URI's primary key when
 * its response varies, holding only the varied header names so a lookup knows which secondary key to
 * read. Times are epoch milliseconds of this gateway's clock; {@code initialAgeMillis} is RFC 9111
 * section 4.2.3's corrected_initial_age (the upstream's {@code Age} plus the response delay; the
 * upstream's {@code Date} is not kept, the gateway sends its own).
 *
 * <p>Stored in the cluster as a {@code byte[]} of our own compact encoding ({@link #encode}), not as
 * a serializable object: Hazelcast stores byte arrays as they are, needs no class of ours on other
 * members, and the JVM-wide deserialization filter allows no package of ours.
 *
 * @param headers        name, value pairs as relayed (hop-by-hop fields already removed)
 * @param lifetimeMillis freshness lifetime
 * @param staleWhileRevalidateMillis window past freshness for serving stale while refreshing (0 none)
 * @param staleIfErrorMillis window past freshness for serving stale when the upstream fails (0 none)
 * @param mustRevalidate never served stale (must-revalidate, proxy-revalidate, s-maxage, no-cache)
 * @param varyNames      lower-case names of the request headers the response varies on
 * @param tags           purge tags from the configured tag header
 */
public record StoredResponse(boolean varyMarker, int status, String[] headers, byte[] body, long requestTime,
                             long responseTime, long initialAgeMillis, long lifetimeMillis,
                             long staleWhileRevalidateMillis, long staleIfErrorMillis, boolean mustRevalidate,
                             String etag, String lastModified, String[] varyNames, String[] tags) {

    private static final int VERSION = 1;
    private static final String[] NONE = new String[0];

    /** The marker stored at the primary key of a response that varies on {@code varyNames}. */
    static StoredResponse varyMarker(String[] varyNames, long lifetimeMillis, long responseTime) {
        return new StoredResponse(true, 0, NONE, new byte[0], responseTime, responseTime, 0, lifetimeMillis, 0, 0,
                false, null, null, varyNames, NONE);
    }

    /** RFC 9111 section 4.2.3 current_age at {@code now}. */
    public long ageMillis(long now) {
        return initialAgeMillis + Math.max(0, now - responseTime);
    }

    /** Freshness left at {@code now}; negative when stale (by that much). */
    public long ttlMillis(long now) {
        return lifetimeMillis - ageMillis(now);
    }

    public boolean hasValidators() {
        return etag != null || lastModified != null;
    }

    /** This response with its times and freshness renewed by a 304 (RFC 9111 section 4.3.4), headers updated. */
    StoredResponse refreshed(String[] newHeaders, long requestTime, long responseTime, long initialAge, long lifetime,
                             long swr, long sie, boolean mustRevalidate, String etag, String lastModified) {
        return new StoredResponse(false, status, newHeaders, body, requestTime, responseTime, initialAge, lifetime,
                swr, sie, mustRevalidate, etag, lastModified, varyNames, tags);
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 256 + headers.length * 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeBoolean(varyMarker);
            out.writeShort(status);
            writeStrings(out, headers);
            out.writeInt(body.length);
            out.write(body);
            out.writeLong(requestTime);
            out.writeLong(responseTime);
            out.writeLong(initialAgeMillis);
            out.writeLong(lifetimeMillis);
            out.writeLong(staleWhileRevalidateMillis);
            out.writeLong(staleIfErrorMillis);
            out.writeBoolean(mustRevalidate);
            writeString(out, etag);
            writeString(out, lastModified);
            writeStrings(out, varyNames);
            writeStrings(out, tags);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @return the entry, or null for bytes this version cannot read (treated as a miss) */
    static StoredResponse decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (in.readByte() != VERSION) {
                return null;
            }
            boolean marker = in.readBoolean();
            int status = in.readShort();
            String[] headers = readStrings(in);
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            return new StoredResponse(marker, status, headers, body, in.readLong(), in.readLong(), in.readLong(),
                    in.readLong(), in.readLong(), in.readLong(), in.readBoolean(), readString(in), readString(in),
                    readStrings(in), readStrings(in));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void writeStrings(DataOutputStream out, String[] values) throws IOException {
        out.writeInt(values.length);
        for (String v : values) {
            writeString(out, v);
        }
    }

    private static void writeString(DataOutputStream out, String v) throws IOException {
        if (v == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String[] readStrings(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 10_000) {
            throw new IOException("bad count " + n);
        }
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            values[i] = readString(in);
        }
        return values;
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
