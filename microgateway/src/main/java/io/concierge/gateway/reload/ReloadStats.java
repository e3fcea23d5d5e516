package io.concierge.gateway.reload;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Reloads counted by result; read by {@code /metrics} and {@code /admin}. */
public final class ReloadStats {
    private final Map<ReloadResult, AtomicLong> counts = new EnumMap<>(ReloadResult.class);

    public ReloadStats() {
        for (ReloadResult r : ReloadResult.values()) {
            counts.put(r, new AtomicLong());
        }
    }

    void count(ReloadResult result) {
        counts.get(result).incrementAndGet();
    }

    /** How many reloads ended with {@code result}. */
    public long get(ReloadResult result) {
        return counts.get(result).get();
    }
}
