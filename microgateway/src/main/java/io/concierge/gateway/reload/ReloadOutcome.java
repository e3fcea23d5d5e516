package io.concierge.gateway.reload;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One reload's outcome: what happened, when, what triggered it and, unless it was applied or
 * unchanged, why (an invalid file's error names file, YAML path and message).
 */
public record ReloadOutcome(ReloadResult result, Instant at, String trigger, String error) {

    /** The {@code lastReload} object of the {@code config} section of {@code /admin}. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("result", result.label());
        m.put("at", at.toString());
        m.put("trigger", trigger);
        m.put("error", error);
        return m;
    }
}
