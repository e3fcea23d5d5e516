package io.concierge.gateway.security;

/**
 * Why a request was refused. The name is what metrics and logs show; {@link #detail} is what the
 * client is told (never the token, never which part of a signature check failed).
 */
public enum Rejection {
    // 401: no or bad credentials
    MISSING_CREDENTIALS(401, "missing_credentials", "credentials are required"),
    MALFORMED_TOKEN(401, "malformed_token", "the bearer token is not a well-formed JWT"),
    ALGORITHM_NOT_ALLOWED(401, "algorithm_not_allowed", "the token's algorithm is not accepted"),
    UNKNOWN_ISSUER(401, "unknown_issuer", "the token's issuer is not trusted"),
    UNKNOWN_KEY(401, "unknown_key", "the token's signing key is not known"),
    KEYS_UNAVAILABLE(401, "keys_unavailable", "the issuer's keys are not available"),
    BAD_SIGNATURE(401, "bad_signature", "the token's signature is not valid"),
    EXPIRED(401, "expired", "the token has expired"),
    NOT_YET_VALID(401, "not_yet_valid", "the token is not valid yet"),
    MISSING_EXPIRY(401, "missing_expiry", "the token has no expiry"),
    WRONG_AUDIENCE(401, "wrong_audience", "the token is not meant for this service"),
    BAD_CLAIMS(401, "bad_claims", "the token's claims are not usable"),
    BAD_API_KEY(401, "bad_api_key", "the API key is not valid"),
    // 403: valid credentials, no permission
    IP_DENIED(403, "ip_denied", "requests from this address are not allowed"),
    MISSING_ROLE(403, "missing_role", "a role required here is missing"),
    MISSING_SCOPE(403, "missing_scope", "a scope required here is missing"),
    NOT_OWNER(403, "not_owner", "this resource belongs to someone else");

    private final int status;
    private final String metricName;
    private final String detail;

    Rejection(int status, String metricName, String detail) {
        this.status = status;
        this.metricName = metricName;
        this.detail = detail;
    }

    public int status() {
        return status;
    }

    public String metricName() {
        return metricName;
    }

    public String detail() {
        return detail;
    }
}
