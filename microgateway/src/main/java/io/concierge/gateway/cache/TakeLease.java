package io.concierge.gateway.cache;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

/**
 * Takes a key's fetch lease on its partition owner, atomically: true when nobody held it (this
 * caller now does, for {@code ttlMillis}), false when somebody does. An entry processor rather than
 * {@code putIfAbsent} because the map offers no asynchronous putIfAbsent with a time-to-live, and a
 * request may only wait a bounded time for the cluster. {@code DataSerializable}, as the JVM-wide
 * deserialization filter admits no class of ours through Java serialization.
 */
public final class TakeLease implements EntryProcessor<String, String, Boolean>, DataSerializable {
    private String owner;
    private long ttlMillis;

    /** For Hazelcast's deserialization. */
    public TakeLease() {
    }

    TakeLease(String owner, long ttlMillis) {
        this.owner = owner;
        this.ttlMillis = ttlMillis;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
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
        out.writeString(owner);
        out.writeLong(ttlMillis);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        owner = in.readString();
        ttlMillis = in.readLong();
    }
}
