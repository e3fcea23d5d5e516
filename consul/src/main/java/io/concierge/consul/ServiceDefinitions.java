package io.concierge.consul;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.concierge.gateway.discovery.Registration;

/**
 * Converts between a {@link Registration} and Consul's service definition
 * (https://developer.hashicorp.com/consul/api-docs/agent/service#register-service) / health entry
 * (https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-service).
 *
 * <p>What the edge needs beyond address and port travels in {@code Meta}, whose keys Consul limits to
 * letters, digits, '_' and '-' (64 pairs, values of at most 512 characters; the {@code consul-}
 * prefix is reserved): {@code concierge-domain}, {@code concierge-prefixes} (a JSON list),
 * {@code concierge-admin-port}, {@code concierge-registered-at}; the registration's own metadata
 * (version, ...) is copied as it is.
 */
final class ServiceDefinitions {
    static final String DOMAIN = "concierge-domain";
    static final String PREFIXES = "concierge-prefixes";
    static final String ADMIN_PORT = "concierge-admin-port";
    static final String REGISTERED_AT = "concierge-registered-at";
    private static final Logger LOG = Logger.getLogger(ServiceDefinitions.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final String META_KEY = "[A-Za-z0-9_-]{1,128}";

    private ServiceDefinitions() {
    }

    /** The body of {@code PUT /v1/agent/service/register} for one gateway instance. */
    static Map<String, Object> definition(Registration r, ConsulSettings s) {
        String address = s.advertiseAddress() != null ? s.advertiseAddress() : r.host();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(DOMAIN, r.domain());
        meta.put(PREFIXES, json(r.prefixes()));
        meta.put(ADMIN_PORT, String.valueOf(r.adminPort()));
        meta.put(REGISTERED_AT, String.valueOf(r.registeredAt()));
        r.metadata().forEach((k, v) -> {
            if (k.matches(META_KEY) && !k.startsWith("consul-") && !meta.containsKey(k) && meta.size() < 64) {
                meta.put(k, v.length() > 512 ? v.substring(0, 512) : v);
            }
        });
        if (meta.get(PREFIXES).length() > 512) {
            throw new IllegalArgumentException("prefixes of '" + r.domain() + "' exceed Consul's 512 characters of Meta value");
        }
        List<String> tags = new ArrayList<>();
        tags.add("concierge");
        tags.add(r.domain());
        s.tags().forEach(t -> {
            if (!tags.contains(t)) {
                tags.add(t);
            }
        });
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("CheckID", "service:" + r.instanceId());
        check.put("Name", "Concierge gateway health");
        check.put("HTTP", "http://" + hostForUrl(address) + ":" + r.adminPort() + s.checkPath());
        check.put("Method", "GET");
        check.put("Interval", goDuration(s.checkInterval()));
        check.put("Timeout", goDuration(s.checkTimeout()));
        check.put("DeregisterCriticalServiceAfter", goDuration(s.deregisterCriticalAfter()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ID", r.instanceId());
        body.put("Name", s.serviceName());
        body.put("Tags", tags);
        body.put("Address", address);
        body.put("Port", r.port());
        body.put("Meta", meta);
        body.put("EnableTagOverride", false);
        body.put("Check", check);
        return body;
    }

    /**
     * One entry of the health endpoint as a registration, or null when it is not a Concierge gateway
     * or not healthy: every check of the entry must be {@code passing} (the query asks
     * {@code ?passing} already; this is the client-side guard against a proxy or an old agent that
     * ignored it).
     */
    @SuppressWarnings("unchecked")
    static Registration fromEntry(Map<String, Object> entry) {
        try {
            Map<String, Object> service = (Map<String, Object>) entry.get("Service");
            Map<String, Object> node = (Map<String, Object>) entry.get("Node");
            List<Map<String, Object>> checks = (List<Map<String, Object>>) entry.getOrDefault("Checks", List.of());
            if (service == null) {
                return null;
            }
            for (Map<String, Object> c : checks) {
                if (!"passing".equals(c.get("Status"))) {
                    return null;
                }
            }
            Map<String, Object> meta = (Map<String, Object>) service.getOrDefault("Meta", Map.of());
            if (meta == null || !(meta.get(DOMAIN) instanceof String domain)) {
                return null;
            }
            List<String> prefixes = JSON.readValue((String) meta.get(PREFIXES), STRINGS);
            // An empty service address means "the node's address" (Consul's documented default).
            String address = (String) service.get("Address");
            if ((address == null || address.isEmpty()) && node != null) {
                address = (String) node.get("Address");
            }
            int port = ((Number) service.get("Port")).intValue();
            int adminPort = Integer.parseInt((String) meta.getOrDefault(ADMIN_PORT, "0"));
            long registeredAt = Long.parseLong((String) meta.getOrDefault(REGISTERED_AT, "0"));
            Map<String, String> rest = new LinkedHashMap<>();
            meta.forEach((k, v) -> {
                if (!k.startsWith("concierge-") && v != null) {
                    rest.put(k, String.valueOf(v));
                }
            });
            if (address == null || address.isEmpty() || prefixes == null || prefixes.isEmpty() || port <= 0) {
                return null;
            }
            return new Registration((String) service.get("ID"), domain, List.copyOf(prefixes), address, port, adminPort,
                    registeredAt, Map.copyOf(rest));
        } catch (Exception e) {
            LOG.fine(() -> "ignoring a malformed Consul entry: " + e);
            return null;
        }
    }

    /** Go's duration syntax, which Consul parses: {@code 1m}, {@code 2s}, {@code 500ms}. */
    static String goDuration(Duration d) {
        long ms = d.toMillis();
        if (ms > 0 && ms % 60_000 == 0) {
            return (ms / 60_000) + "m";
        }
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    private static String hostForUrl(String address) {
        return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    }

    private static String json(List<String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
