package io.concierge.gateway.security;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.concierge.gateway.config.ConfigNode;

/**
 * API keys in the Kong "consumers" model: each consumer has a name, roles, scopes and one or more
 * keys. Keys are configured only as SHA-256 hashes ({@code sha256:<64 hex digits>}); the gateway
 * never sees, stores or logs a key in plain text. API keys are long random strings, so a fast
 * hash is enough (no dictionary to attack); {@code printf %s "$KEY" | sha256sum} computes one.
 *
 * @param header     request header carrying the key (default {@code X-Api-Key})
 * @param queryParam query parameter carrying the key, or null (default: not read; a key in a URL
 *                   ends up in logs and browser history, so prefer the header)
 * @param consumers  by name
 */
public record ApiKeyConfig(String header, String queryParam, Map<String, Consumer> consumers) {
    public static final ApiKeyConfig NONE = new ApiKeyConfig("X-Api-Key", null, Map.of());

    /** One consumer. Its {@code keyHashes} are lower-case hex SHA-256 digests. */
    public record Consumer(String name, Set<String> roles, Set<String> scopes, List<String> keyHashes) {
    }

    static ApiKeyConfig read(ConfigNode node) {
        String header = node.string("header", NONE.header());
        if (!header.matches("[A-Za-z0-9-]{1,64}")) {
            throw node.error("header", "not a header name: '" + header + "'");
        }
        String query = node.string("query-param", null);
        if (query != null && !query.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw node.error("query-param", "not a query parameter name: '" + query + "'");
        }
        Map<String, Consumer> consumers = new LinkedHashMap<>();
        Map<String, String> owners = new HashMap<>();
        node.namedObjects("consumers").forEach((name, c) -> {
            if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
                throw c.error("consumer names are letters, digits, '.', '_' and '-' (was '" + name + "')");
            }
            List<String> keys = c.stringList("keys");
            if (keys.isEmpty()) {
                throw c.error("keys", "at least one key hash is required");
            }
            List<String> hashes = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i).trim();
                String hex = k.toLowerCase(Locale.ROOT).startsWith("sha256:") ? k.substring(7).toLowerCase(Locale.ROOT) : null;
                if (hex == null || !hex.matches("[0-9a-f]{64}")) {
                    // The value is not echoed: it might be a key pasted in plain text.
                    throw c.error("keys[" + i + "]", "must be 'sha256:' and 64 hex digits, the SHA-256 of the key"
                            + " (printf %s \"$KEY\" | sha256sum); plain keys are never accepted in configuration");
                }
                String other = owners.putIfAbsent(hex, name);
                if (other != null) {
                    throw c.error("keys[" + i + "]", "the same key is already configured for consumer '" + other + "'");
                }
                hashes.add(hex);
            }
            Set<String> roles = Set.copyOf(Names.read(c, "roles"));
            Set<String> scopes = Set.copyOf(Names.read(c, "scopes"));
            c.rejectUnknownKeys();
            consumers.put(name, new Consumer(name, roles, scopes, List.copyOf(hashes)));
        });
        node.rejectUnknownKeys();
        return new ApiKeyConfig(header, query, java.util.Collections.unmodifiableMap(consumers));
    }

    static String hash(byte[] key) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(key));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
