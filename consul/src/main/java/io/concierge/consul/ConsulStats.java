package io.concierge.consul;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Consul discovery's counters, for health today and for Prometheus later (every field is a
 * monotonic counter except the last three, which are gauges).
 *
 * @param registrations        successful {@code PUT /v1/agent/service/register} calls
 * @param registrationErrors   failed register calls and failed checks that the agent still has us
 * @param reregistrations      registrations written again because the agent had lost them
 * @param deregistrations      successful deregistrations (graceful shutdown)
 * @param deregistrationErrors failed deregistrations (the health check then takes the instance out)
 * @param watchQueries         answered health queries (blocking or not)
 * @param watchErrors          failed health queries (Consul unreachable, non-200, bad body)
 * @param watchChanges         times the instance set changed and listeners were told
 * @param indexResets          times {@code X-Consul-Index} went backwards and the watch restarted from 0
 * @param staleResponses       failed queries while a last known set was being served
 * @param stale                whether the set served now is the last known one because Consul is not answering
 * @param index                the {@code X-Consul-Index} the watch blocks on
 * @param instances            passing instances served now
 */
public record ConsulStats(long registrations, long registrationErrors, long reregistrations, long deregistrations,
                          long deregistrationErrors, long watchQueries, long watchErrors, long watchChanges,
                          long indexResets, long staleResponses, boolean stale, long index, int instances) {
    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("registered", registrations);
        m.put("registrationErrors", registrationErrors);
        m.put("reregistrations", reregistrations);
        m.put("deregistrations", deregistrations);
        m.put("deregistrationErrors", deregistrationErrors);
        m.put("watchQueries", watchQueries);
        m.put("watchErrors", watchErrors);
        m.put("watchChanges", watchChanges);
        m.put("indexResets", indexResets);
        m.put("staleResponses", staleResponses);
        m.put("stale", stale);
        return m;
    }
}
