package io.concierge.gateway.pipeline;

import java.util.Set;

/**
 * The verified caller of a request, set on the {@link Exchange} by authentication and read by
 * authorization, rate limiting (keys, usage plans) and the proxy (identity headers upstream).
 *
 * @param subject  the token's {@code sub}, or null for an API-key consumer without a user
 * @param roles    granted roles
 * @param scopes   granted scopes
 * @param consumer the consumer name (API key owner, or the token's client), or null
 * @param issuer   who vouched for it ({@code iss}, or {@code api-key})
 */
public record Identity(String subject, Set<String> roles, Set<String> scopes, String consumer, String issuer) {
}
