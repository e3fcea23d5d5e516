package io.concierge.gateway.security;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.concierge.gateway.pipeline.Identity;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * Finds the consumer of an API key by the key's SHA-256. Only hashes are held, so neither memory
 * nor configuration contains a usable key; a lookup by hash also takes the same time whether or
 * not a prefix of the key is right, so timing does not help guessing.
 */
final class ApiKeyVerifier {
    static final String ISSUER = "api-key";
    private static final int MAX_KEY_LENGTH = 512;

    private final HeaderName header;
    private final String queryParam;
    private final Map<String, ApiKeyConfig.Consumer> byHash = new HashMap<>();

    ApiKeyVerifier(ApiKeyConfig config) {
        this.header = HeaderNames.create(config.header());
        this.queryParam = config.queryParam();
        for (ApiKeyConfig.Consumer c : config.consumers().values()) {
            for (String h : c.keyHashes()) {
                byHash.put(h, c);
            }
        }
    }

    boolean isEmpty() {
        return byHash.isEmpty();
    }

    /** The query parameter a key may come in, or null. */
    String queryParam() {
        return queryParam;
    }

    HeaderName header() {
        return header;
    }

    /** @return the presented key, or null when the request carries none */
    String presented(ServerRequest req) {
        if (req.headers().contains(header)) {
            List<String> values = req.headers().values(header);
            return values.size() == 1 ? values.get(0) : "";
        }
        if (queryParam != null) {
            try {
                if (req.query().contains(queryParam)) {
                    List<String> values = req.query().all(queryParam);
                    return values.size() == 1 ? values.get(0) : "";
                }
            } catch (RuntimeException e) {
                return ""; // malformed query: a key was maybe meant, it cannot be read
            }
        }
        return null;
    }

    /** @return the consumer's identity, or null when the key is unknown */
    Identity verify(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            return null;
        }
        ApiKeyConfig.Consumer c = byHash.get(ApiKeyConfig.hash(key.getBytes(StandardCharsets.UTF_8)));
        return c == null ? null : new Identity(null, c.roles(), c.scopes(), c.name(), ISSUER);
    }
}
