package io.concierge.gateway.ratelimit;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

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
 */
public final class ClusterTake implements EntryProcessor<String, long[], long[]>, DataSerializable {
    private static final long serialVersionUID = 1L;
    private static final int WANT = 0;
    private static final int MIN = 1;
    private static final int GIVE_BACK = 2;
    private static final int GIVE_BACK_WINDOW = 3;

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

    private Quota quota() {
        return algorithm == 0 ? new SlidingWindowQuota(limit, window) : new TokenBucketQuota(limit, window, burst);
    }

    @Override
    public long[] process(Map.Entry<String, long[]> entry) {
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
        out.writeByte(algorithm);
        out.writeLong(limit);
        out.writeLong(window);
        out.writeLong(burst);
        out.writeLong(now);
        out.writeLongArray(params);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        algorithm = in.readByte();
        limit = in.readLong();
        window = in.readLong();
        burst = in.readLong();
        now = in.readLong();
        params = in.readLongArray();
    }
}
