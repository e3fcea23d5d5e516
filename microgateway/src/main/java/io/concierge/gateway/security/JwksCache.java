package io.concierge.gateway.security;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.security.jwt.jwk.Jwk;
import io.helidon.security.jwt.jwk.JwkEC;
import io.helidon.security.jwt.jwk.JwkRSA;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * The public keys of one issuer, fetched from its JWKS URL and kept in memory.
 *
 * <p>Why not Helidon's own key handling: {@code JwkKeys} (and so {@code JwtProvider}) loads a key
 * set once, from a file or resource, and never again; the rotation rules of this gateway need a
 * cache that (1) refreshes in the background, (2) refetches when a token names an unknown
 * {@code kid}, but at most once per {@code min-refetch-interval}, so a flood of random kids costs
 * the issuer one request, and (3) keeps serving the last good keys while the endpoint is down.
 * Helidon's {@link Jwk} still does the parsing of each key (RSA modulus/exponent, EC curve points).
 *
 * <p>Fail-open or fail-closed: while the JWKS endpoint is down the cached keys keep verifying
 * tokens (fail open on availability, counted as {@code jwksStaleKeyUses}), because refusing every
 * user for an issuer's outage is worse than accepting tokens signed by keys that were valid an
 * hour ago; after {@code max-stale} without a successful fetch the keys are dropped and tokens are
 * refused (fail closed), so a revoked key cannot live for ever.
 */
final class JwksCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JwksCache.class.getName());
    private static final int MAX_DOCUMENT = 1024 * 1024;
    private static final int MIN_RSA_BITS = 2048;
    private static final long NEVER = Long.MIN_VALUE;

    /** One usable key. {@code declared} is the JWK's own {@code alg}, or null when it names none. */
    record Key(String kid, PublicKey key, JwtAlgorithm declared) {
        boolean fits(JwtAlgorithm alg) {
            if (declared != null && declared != alg) {
                return false;
            }
            return switch (alg.family()) {
                case RSA, RSA_PSS -> key instanceof RSAPublicKey;
                case EC -> key instanceof ECPublicKey ec
                        && (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8 == alg.size();
                case HMAC -> false;
            };
        }
    }

    private record Snapshot(Map<String, List<Key>> byKid, List<Key> all, long fetchedAt) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), List.of(), NEVER);
    }

    /** The outcome of a lookup. */
    enum Status { FOUND, UNKNOWN_KEY, UNAVAILABLE }

    record Lookup(Status status, Key key) {
    }

    private final String issuer;
    private final JwksConfig config;
    private final SecurityStats stats;
    private final HttpClient http;
    private final ReentrantLock fetchLock = new ReentrantLock();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private volatile boolean lastFetchFailed;
    private volatile boolean staleReported;
    private long lastOnDemandFetch = NEVER; // guarded by fetchLock
    private ScheduledFuture<?> refresher;

    JwksCache(String issuer, JwksConfig config, SecurityStats stats) {
        this.issuer = issuer;
        this.config = config;
        this.stats = stats;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Fetches once now (a failure is logged and retried on demand) and schedules the refreshes. */
    void start(ScheduledExecutorService scheduler) {
        refresh();
        long period = config.refreshInterval().toMillis();
        refresher = scheduler.scheduleWithFixedDelay(this::refresh, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * @param kid the token's {@code kid}, or null: then the one key that fits {@code alg}, if exactly one does
     */
    Lookup find(String kid, JwtAlgorithm alg) {
        Snapshot s = usable(snapshot);
        if (s == null) {
            return new Lookup(Status.UNAVAILABLE, null);
        }
        Key k = pick(s, kid, alg);
        if (k == null && kid != null && !s.byKid().containsKey(kid)) {
            s = refetchForUnknownKid(kid);
            if (s == null) {
                return new Lookup(Status.UNAVAILABLE, null);
            }
            k = pick(s, kid, alg);
        }
        if (k == null) {
            return new Lookup(Status.UNKNOWN_KEY, null);
        }
        if (lastFetchFailed) {
            stats.jwksStaleKeyUsed();
        }
        return new Lookup(Status.FOUND, k);
    }

    private static Key pick(Snapshot s, String kid, JwtAlgorithm alg) {
        if (kid != null) {
            for (Key k : s.byKid().getOrDefault(kid, List.of())) {
                if (k.fits(alg)) {
                    return k;
                }
            }
            return null;
        }
        Key only = null;
        for (Key k : s.all()) {
            if (k.fits(alg)) {
                if (only != null) {
                    return null; // ambiguous: a token without kid must not pick one of several keys
                }
                only = k;
            }
        }
        return only;
    }

    /** @return the snapshot, or null when it is older than max-stale (or there never was one) */
    private Snapshot usable(Snapshot s) {
        if (s.fetchedAt() == NEVER) {
            return s; // nothing yet: an unknown kid may still trigger the first fetch
        }
        if (System.nanoTime() - s.fetchedAt() > config.maxStale().toNanos()) {
            if (!staleReported) {
                staleReported = true;
                LOG.warning(() -> "issuer '" + issuer + "': no successful JWKS fetch from " + config.url() + " for "
                        + config.maxStale() + "; its tokens are refused until the keys can be fetched again");
            }
            return null;
        }
        return s;
    }

    private Snapshot refetchForUnknownKid(String kid) {
        fetchLock.lock();
        try {
            Snapshot s = snapshot;
            if (s.byKid().containsKey(kid)) {
                return usable(s); // fetched by another request while this one waited
            }
            long now = System.nanoTime();
            if (lastOnDemandFetch != NEVER && now - lastOnDemandFetch < config.minRefetchInterval().toNanos()) {
                stats.jwksRefetchSuppressed();
                return usable(s);
            }
            lastOnDemandFetch = now;
            fetchLocked();
            return usable(snapshot);
        } finally {
            fetchLock.unlock();
        }
    }

    /** The background refresh; also serialised with on-demand fetches. */
    void refresh() {
        fetchLock.lock();
        try {
            fetchLocked();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "issuer '" + issuer + "': JWKS refresh failed", e);
        } finally {
            fetchLock.unlock();
        }
    }

    private void fetchLocked() {
        stats.jwksFetched();
        try {
            HttpRequest request = HttpRequest.newBuilder(config.url())
                    .timeout(config.timeout())
                    .header("Accept", "application/jwk-set+json, application/json")
                    .GET()
                    .build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_DOCUMENT + 1);
            }
            if (response.statusCode() != 200) {
                throw new IOException("status " + response.statusCode());
            }
            if (body.length > MAX_DOCUMENT) {
                throw new IOException("document larger than " + MAX_DOCUMENT + " bytes");
            }
            Snapshot next = parse(body);
            snapshot = next;
            lastFetchFailed = false;
            staleReported = false;
            LOG.fine(() -> "issuer '" + issuer + "': " + next.all().size() + " keys from " + config.url());
        } catch (IOException | RuntimeException e) {
            fetchFailed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fetchFailed(e);
        }
    }

    private void fetchFailed(Exception e) {
        stats.jwksFetchFailed();
        lastFetchFailed = true;
        LOG.warning(() -> "issuer '" + issuer + "': fetching " + config.url() + " failed (" + e
                + "); the " + snapshot.all().size() + " cached keys stay in use");
    }

    private Snapshot parse(byte[] body) {
        JsonObject doc;
        try (var reader = Json.createReader(new java.io.ByteArrayInputStream(body))) {
            doc = reader.readObject();
        }
        JsonValue keysValue = doc.get("keys");
        if (!(keysValue instanceof JsonArray keys)) {
            throw new IllegalArgumentException("not a JWK set: no 'keys' array");
        }
        List<Key> all = new ArrayList<>();
        Map<String, List<Key>> byKid = new HashMap<>();
        for (JsonValue v : keys) {
            Key k = v instanceof JsonObject o ? key(o) : null;
            if (k != null) {
                all.add(k);
                if (k.kid() != null) {
                    byKid.computeIfAbsent(k.kid(), x -> new ArrayList<>()).add(k);
                }
            }
        }
        return new Snapshot(Map.copyOf(byKid), List.copyOf(all), System.nanoTime());
    }

    /** @return the key, or null when it is not a usable signature-verification key */
    private Key key(JsonObject o) {
        String kty = string(o, "kty");
        if (!"RSA".equals(kty) && !"EC".equals(kty)) {
            return null; // an "oct" key in a public JWKS is never used: that would be algorithm confusion
        }
        String use = string(o, "use");
        if (use != null && !use.equals("sig")) {
            return null;
        }
        JsonValue ops = o.get("key_ops");
        if (ops instanceof JsonArray a && a.stream().noneMatch(x -> x instanceof JsonString s && s.getString().equals("verify"))) {
            return null;
        }
        String algText = string(o, "alg");
        JwtAlgorithm declared = algText == null ? null : JwtAlgorithm.of(algText);
        if (algText != null && (declared == null || declared.symmetric())) {
            return null;
        }
        String kid = string(o, "kid");
        try {
            // Helidon's Jwk checks its alg against its own list, which lacks PS*: parse without it,
            // the declared algorithm is kept and enforced here.
            JsonObject material = Json.createObjectBuilder(o).remove("alg").build();
            PublicKey pk = switch (Jwk.create(material)) {
                case JwkRSA rsa -> rsa.publicKey();
                case JwkEC ec -> ec.publicKey();
                default -> null;
            };
            if (pk == null) {
                return null;
            }
            if (pk instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
                LOG.warning(() -> "issuer '" + issuer + "': ignoring RSA key '" + kid + "' shorter than " + MIN_RSA_BITS + " bits");
                return null;
            }
            return new Key(kid, pk, declared);
        } catch (RuntimeException e) {
            LOG.fine(() -> "issuer '" + issuer + "': ignoring unusable JWK '" + kid + "': " + e.getMessage());
            return null;
        }
    }

    private static String string(JsonObject o, String name) {
        return o.get(name) instanceof JsonString s ? s.getString() : null;
    }

    int keyCount() {
        return snapshot.all().size();
    }

    Map<String, Object> describe() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        Snapshot s = snapshot;
        m.put("url", config.url().toString());
        m.put("keys", s.all().size());
        m.put("lastFetchFailed", lastFetchFailed);
        m.put("secondsSinceFetch", s.fetchedAt() == NEVER ? -1 : (System.nanoTime() - s.fetchedAt()) / 1_000_000_000L);
        return m;
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.cancel(false);
        }
        http.close();
    }
}
