package io.concierge.gateway.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import io.concierge.gateway.cluster.PayloadFormats;

/**
 * Takes a key's fetch lease on its partition owner, atomically: true when nobody held it (this
 * caller now does, for {@code ttlMillis}), false when somebody does. An entry processor rather than
 * {@code putIfAbsent} because the map offers no asynchronous putIfAbsent with a time-to-live, and a
 * request may only wait a bounded time for the cluster. {@code DataSerializable}, as the JVM-wide
 * deserialization filter admits no class of ours through Java serialization.
 *
 * <p>Versioned for rolling upgrades ({@link PayloadFormats}): format 1, from before versions, is the
 * owner string and the TTL; format 2 and later start with {@link #MARKER} (a string no owner id can
 * be), the format number and the fields as one length-prefixed byte array, so a newer format can be
 * skipped. Such an operation is unreadable: it takes nothing and answers null, which the caller
 * treats as the cache being unavailable for this request.
 */
public final class TakeLease implements EntryProcessor<String, String, Boolean>, DataSerializable {
    /** Starts every versioned payload: owner ids are instance ids and never start with a NUL. */
    static final String MARKER = "\u0000concierge-format";

    private String owner;
    private long ttlMillis;
    private int format = PayloadFormats.CURRENT;
    private boolean unreadable;

    /** For Hazelcast's deserialization. */
    public TakeLease() {
    }

    TakeLease(String owner, long ttlMillis) {
        this.owner = owner;
        this.ttlMillis = ttlMillis;
    }

    /** Writes {@code f} (a format all current members read) instead of the current one. */
    TakeLease format(int f) {
        this.format = f;
        return this;
    }

    int format() {
        return format;
    }

    boolean unreadable() {
        return unreadable;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
        if (unreadable) {
            return null;
        }
        if (entry.getValue() != null) {
            return false;
        }
        if (entry instanceof ExtendedMapEntry<?, ?> e) {
            @SuppressWarnings("unchecked")
            ExtendedMapEntry<String, String> ext = (ExtendedMapEntry<String, String>) e;
            ext.setValue(owner, ttlMillis, TimeUnit.MILLISECONDS);
        } else {
            entry.setValue(owner);
        }
        return true;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        if (format <= PayloadFormats.LEGACY) {
            out.writeString(owner);
            out.writeLong(ttlMillis);
            return;
        }
        out.writeString(MARKER);
        out.writeByte(format);
        ByteArrayOutputStream body = new ByteArrayOutputStream(64);
        try (DataOutputStream d = new DataOutputStream(body)) {
            d.writeUTF(owner);
            d.writeLong(ttlMillis);
        }
        out.writeByteArray(body.toByteArray());
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        String first = in.readString();
        if (!MARKER.equals(first)) {
            format = PayloadFormats.LEGACY;
            owner = first;
            ttlMillis = in.readLong();
            return;
        }
        format = in.readByte();
        byte[] body = in.readByteArray();
        if (format > PayloadFormats.CURRENT || format <= PayloadFormats.LEGACY || body == null) {
            unreadable = true;
            return;
        }
        DataInputStream d = new DataInputStream(new ByteArrayInputStream(body));
        owner = d.readUTF();
        ttlMillis = d.readLong();
    }
}
