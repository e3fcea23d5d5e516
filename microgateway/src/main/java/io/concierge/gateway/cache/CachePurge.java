package io.concierge.gateway.cache;

import java.nio.charset.StandardCharsets;

import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.requestid.RequestIds;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code DELETE /admin/cache?key=…|prefix=…|tag=…} on the admin port (the admin token is checked
 * before this runs): removes the selected entries from the domain's shared maps, so from every
 * instance at once. Exactly one selector; a bad one is a 400 problem. Answers
 * {@code {"purged": n, "by": ..., "value": ...}}.
 */
public final class CachePurge implements Handler {
    private static final int MAX_VALUE = CacheKey.MAX_TARGET;

    private final SharedCache cache;

    public CachePurge(SharedCache cache) {
        this.cache = cache;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        String requestId = RequestIds.resolve(req.headers());
        UriQuery q = req.query();
        SharedCache.PurgeBy by = null;
        String value = null;
        int selectors = 0;
        for (SharedCache.PurgeBy b : SharedCache.PurgeBy.values()) {
            String name = b.name().toLowerCase(java.util.Locale.ROOT);
            if (q.contains(name)) {
                selectors++;
                by = b;
                value = q.get(name);
            }
        }
        if (selectors != 1) {
            Problem.send(res, 400, "Bad Request", "give exactly one of key, prefix or tag", requestId);
            return;
        }
        if (value.isEmpty() || value.length() > MAX_VALUE || hasControl(value)
                || (by != SharedCache.PurgeBy.TAG && !value.startsWith("/"))) {
            Problem.send(res, 400, "Bad Request", by.name().toLowerCase(java.util.Locale.ROOT) + " must be "
                    + (by == SharedCache.PurgeBy.TAG ? "a tag" : "a path starting with '/'") + " of at most "
                    + MAX_VALUE + " printable characters", requestId);
            return;
        }
        int purged;
        try {
            purged = cache.purge(by, value);
        } catch (RuntimeException e) {
            Problem.send(res, 503, "Service Unavailable", "the cache cluster could not be purged: "
                    + e.getClass().getSimpleName(), requestId);
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(("{\"purged\":" + purged + ",\"by\":\"" + by.name().toLowerCase(java.util.Locale.ROOT) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
