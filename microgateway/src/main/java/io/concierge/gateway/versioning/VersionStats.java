package io.concierge.gateway.versioning;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.concierge.gateway.telemetry.MetricsSource;
import io.concierge.gateway.telemetry.PrometheusText;

/**
 * Requests per API version of each versioning group (so a team sees who still calls a deprecated
 * version) and requests refused for an unsupported version. Counters are made at load.
 */
public final class VersionStats implements MetricsSource {
    private final Map<String, Map<String, LongAdder>> requests = new ConcurrentHashMap<>();
    private final Map<String, Boolean> deprecated = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> unsupported = new ConcurrentHashMap<>();

    LongAdder requests(String group, String version, boolean isDeprecated) {
        deprecated.put(group + "\u0000" + version, isDeprecated);
        return requests.computeIfAbsent(group, g -> new ConcurrentHashMap<>())
                .computeIfAbsent(version, v -> new LongAdder());
    }

    LongAdder unsupported(String group) {
        return unsupported.computeIfAbsent(group, g -> new LongAdder());
    }

    /** For tests and /admin. */
    public long count(String group, String version) {
        LongAdder a = requests.getOrDefault(group, Map.of()).get(version);
        return a == null ? 0 : a.sum();
    }

    /** Requests refused for an unsupported version, for tests and /admin. */
    public long unsupportedCount(String group) {
        LongAdder a = unsupported.get(group);
        return a == null ? 0 : a.sum();
    }

    @Override
    public void write(PrometheusText out) {
        if (requests.isEmpty()) {
            return;
        }
        out.family("concierge_api_version_requests_total", "counter",
                "Requests per API version of a versioning group; deprecated=\"true\" for a deprecated version.");
        requests.forEach((group, versions) -> versions.forEach((version, n) ->
                out.sample("concierge_api_version_requests_total", n.sum(), "group", group, "version", version,
                        "deprecated", String.valueOf(deprecated.get(group + "\u0000" + version)))));
        out.family("concierge_api_version_unsupported_total", "counter",
                "Requests refused with 400 because they asked for a version the group does not have.");
        unsupported.forEach((group, n) -> out.sample("concierge_api_version_unsupported_total", n.sum(), "group", group));
    }
}
