package io.concierge.gateway.cache;

/** The cluster did not answer a cache call within its bound (or is gone): the request goes uncached. */
final class CacheUnavailableException extends Exception {
    CacheUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
