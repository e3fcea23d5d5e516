package io.concierge.gateway.security;

import java.util.Map;

/** The verified token's claims that owner rules compare with, as text; set beside the {@code Identity}. */
record TokenClaims(Map<String, String> values) {
    static final TokenClaims NONE = new TokenClaims(Map.of());
}
