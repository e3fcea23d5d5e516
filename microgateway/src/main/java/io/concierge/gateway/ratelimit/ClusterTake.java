package io.concierge.gateway.ratelimit;

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
 * The one cluster operation of rate limiting: on the partition owner of a counter, give back unused
 * permits, then take up to {@code want} (at least {@code min}, else none), atomically, and set the
 * entry's time-to-live so idle counters disappear by themselves: a strict decision, a fast-mode
 * lease renewal or return, a refund.
 *
 * <p>Why an entry processor on an IMap rather than the CP subsystem: the CP subsystem needs at
 * least three CP members and a Raft round (a majority write) per operation, and with fewer members
 * or a lost majority it stops answering: exactly the failure a rate limiter must survive. An entry
 * processor runs on the key's partition owner, is atomic per key (partition thread), costs one
 * network hop (none if this member owns the key), works on any member count, and keeps a backup on
 * another member (backup count 1) so losing any one member loses no counter. The price is AP
 * semantics in a split brain (each side counts on its own), which docs/rate-limiting.md documents.
 *
 * <p>The time is the caller's ({@code now}), so the operation is deterministic: the backup replays
 * it on the same state and gets the same result (the processor holds no per-run state). Gateways' clocks must be synchronised
 * (NTP); a skew of s shifts a caller's windows by s.
 *
 * <p>Serialized as {@link DataSerializable} (Hazelcast's own format), not Java serialization: the
 * JVM-wide deserialization filter admits only Hazelcast and JDK classes.
 *
 * <p>Versioned for rolling upgrades ({@link PayloadFormats}). Format 1, from before versions existed,
 * is the bare fields, starting with the algorithm byte (0 or 1). Format 2 and later start with their
 * number (2 and up, never 0 or 1) followed by the fields as one length-prefixed byte array, so a
 * member can skip a format newer than it knows without losing its place in the stream. Such an
 * operation is {@linkplain #unreadable() unreadable}: it leaves the counter untouched and answers
 * null, which the caller treats as a failed cluster call (the decision is made locally, counted as
 * a fallback). The writer uses the oldest format all members read, so in practice that only happens
 * if a member joins mid-call.
 */
public final class ClusterTake implements EntryProcessor<String, long[], long[]>, DataSerializable {
    private static final long serialVersionUID = 1L;
    private static final int WANT = 0;
    private static final int MIN = 1;
    private static final int GIVE_BACK = 2;
    private static final int GIVE_BACK_WINDOW = 3;
    /** The first byte of format 1 is the algorithm: 0 or 1. */
    private static final int LEGACY_LAST_TAG = 1;

    /** The format to write (the writer sets it to what all members read). */
    private int format = PayloadFormats.CURRENT;
    /** Read from a format this code does not know: do nothing. */
    private boolean unreadable;

    private byte algorithm;
    private long limit;
    private long window;
    private long burst;
    private long now;
    /** want, min, give back, give back window. */
    private long[] params;

    public ClusterTake() {
    }

    ClusterTake(Quota quota, long now, long want, long min, long giveBack, long giveBackWindow) {
        switch (quota) {
            case SlidingWindowQuota sw -> {
                this.algorithm = 0;
                this.limit = sw.limit();
                this.window = sw.windowMillis();
            }
            case TokenBucketQuota tb -> {
                this.algorithm = 1;
                this.limit = tb.limit();
                this.window = tb.windowNanos();
                this.burst = tb.burst();
            }
        }
        this.now = now;
        this.params = new long[] {want, min, giveBack, giveBackWindow};
    }

    /** Writes {@code f} (a format all current members read) instead of the current one. */
    ClusterTake format(int f) {
        this.format = f;
        return this;
    }

    int format() {
        return format;
    }

    /** True when this was read from a format newer than this code knows. */
    boolean unreadable() {
        return unreadable;
    }

    private Quota quota() {
        return algorithm == 0 ? new SlidingWindowQuota(limit, window) : new TokenBucketQuota(limit, window, burst);
    }

    @Override
    public long[] process(Map.Entry<String, long[]> entry) {
        if (unreadable) {
            return null;
        }
        long[] p = params;
        Quota q = quota();
        long[] state = entry.getValue();
        state = state == null ? q.newState() : state.clone();
        if (p[GIVE_BACK] > 0) {
            q.giveBack(state, now, p[GIVE_BACK], p[GIVE_BACK_WINDOW]);
        }
        Quota.Grant g = q.take(state, now, p[WANT], p[MIN]);
        long ttl = q.retainMillis(state, now);
        if (entry instanceof ExtendedMapEntry<?, ?> e) {
            @SuppressWarnings("unchecked")
            ExtendedMapEntry<String, long[]> ext = (ExtendedMapEntry<String, long[]>) e;
            ext.setValue(state, ttl, TimeUnit.MILLISECONDS);
        } else {
            entry.setValue(state);
        }
        return g.toArray();
    }

    @Override
    public EntryProcessor<String, long[], long[]> getBackupProcessor() {
        // Deterministic (the caller's time, no per-run state): the backup replays it.
        return this;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        if (format <= PayloadFormats.LEGACY) {
            writeFields(out);
            return;
        }
        out.writeByte(format);
        ByteArrayOutputStream body = new ByteArrayOutputStream(64);
        try (DataOutputStream d = new DataOutputStream(body)) {
            d.writeByte(algorithm);
            d.writeLong(limit);
            d.writeLong(window);
            d.writeLong(burst);
            d.writeLong(now);
            d.writeInt(params.length);
            for (long v : params) {
                d.writeLong(v);
            }
        }
        out.writeByteArray(body.toByteArray());
    }

    private void writeFields(ObjectDataOutput out) throws IOException {
        out.writeByte(algorithm);
        out.writeLong(limit);
        out.writeLong(window);
        out.writeLong(burst);
        out.writeLong(now);
        out.writeLongArray(params);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        byte tag = in.readByte();
        if (tag >= 0 && tag <= LEGACY_LAST_TAG) {
            format = PayloadFormats.LEGACY;
            algorithm = tag;
            limit = in.readLong();
            window = in.readLong();
            burst = in.readLong();
            now = in.readLong();
            params = in.readLongArray();
            return;
        }
        if (tag < 0) {
            throw new IOException("rate-limit operation with an invalid format tag " + tag);
        }
        format = tag;
        byte[] body = in.readByteArray();
        if (tag > PayloadFormats.CURRENT || body == null) {
            unreadable = true;
            return;
        }
        DataInputStream d = new DataInputStream(new ByteArrayInputStream(body));
        algorithm = d.readByte();
        limit = d.readLong();
        window = d.readLong();
        burst = d.readLong();
        now = d.readLong();
        int n = d.readInt();
        if (n != 4 || (algorithm != 0 && algorithm != 1)) {
            throw new IOException("malformed rate-limit operation (format " + tag + ")");
        }
        params = new long[n];
        for (int i = 0; i < n; i++) {
            params[i] = d.readLong();
        }
    }
}
