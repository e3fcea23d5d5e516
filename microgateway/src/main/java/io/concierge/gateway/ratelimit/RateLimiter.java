package io.concierge.gateway.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.pipeline.Identity;
import io.concierge.gateway.ratelimit.RateLimitConfig.KeyPart;
import io.concierge.gateway.ratelimit.RateLimitConfig.Mode;
import io.concierge.gateway.routing.PathPattern;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/**
 * One configured limit with its shared state, built once at startup: the compiled key and match,
 * the quota (or one per usage-plan tier), the bounded table of keys this instance has seen, and
 * the handle on the cluster. {@link #decide} is the per-request step, in one of three modes:
 *
 * <ul>
 *   <li><b>local</b>: the key's counter lives on this instance.
 *   <li><b>strict</b>: one {@link ClusterTake} per request on the key's partition owner; exact.
 *   <li><b>fast</b>: the instance holds a lease of permits taken from the cluster counter and
 *       decides locally against it; the lease is renewed in the background when it runs low and
 *       reconciled every {@code sync-interval} (unused permits go back). Every admitted request
 *       was granted by the cluster first, so the cluster-wide total never exceeds the limit;
 *       a request waits for the cluster only when this instance holds no permit for its key
 *       (a key's first request, a new window, or an exhausted lease that the background renewal
 *       did not refill in time).
 * </ul>
 *
 * When the cluster is unavailable, strict and fast decide on a local counter with this
 * instance's share of the limit ({@link ClusterCounters} explains why).
 */
final class RateLimiter {
    private static final Logger LOG = Logger.getLogger(RateLimiter.class.getName());
    /** Tracked keys looked at to choose one to evict (approximate LRU, as Redis samples). */
    static final int EVICTION_SAMPLE = 16;
    private static final int MAX_PLAIN_KEY = 128;
    private static final long SHADOW_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** A lease covers about this much of a key's demand (capped at a quarter of the fair share). */
    static final double LEASE_SECONDS = 30.0;
    /** After a failed cluster call for a key, the key is decided locally this long. */
    static final long KEY_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A key's permits go back to the cluster after this long without requests (at least 3 intervals). */
    static final double IDLE_RETURN_SECONDS = 5.0;

    private final RateLimitConfig config;
    private final String scope;
    private final String owner;
    private final Quota quota;
    private final Map<String, Quota> tierQuotas;
    private final RateLimitStats stats = new RateLimitStats();
    private final ConcurrentHashMap<String, KeyState> keys = new ConcurrentHashMap<>();
    private final PathPattern[] paths;
    private final Set<String> methods;
    private final HeaderName[] headerNames;
    private final ClusterCounters cluster;
    private final LongSupplier clock;
    private final long timeoutNanos;
    private final long syncNanos;
    private final double intervalSeconds;
    private final int idleReturnIntervals;
    private final double rateWeight;
    private final AtomicLong shadowSinceLog = new AtomicLong();
    private final AtomicLong lastShadowLog = new AtomicLong(Long.MIN_VALUE);
    /** Taken only when the key table is full: a flood of new keys queues here, known keys never do. */
    private final ReentrantLock evictionLock = new ReentrantLock();
    /** Where the eviction sample continues, so successive samples cover the whole table (guarded by evictionLock). */
    private Iterator<Map.Entry<String, KeyState>> evictionHand;

    /**
     * @param scope   {@code domain}, {@code route <id>} or {@code edge}: part of the counter's
     *                cluster key, so equal names in different scopes never share a counter
     * @param cluster null for local counting (mode local, or no cluster in this process)
     * @param clock   epoch nanoseconds
     */
    RateLimiter(String owner, String scope, RateLimitConfig config, ClusterCounters cluster, LongSupplier clock) {
        this.config = config;
        this.scope = scope;
        this.cluster = config.mode() == Mode.LOCAL ? null : cluster;
        this.clock = clock;
        this.timeoutNanos = config.clusterTimeout().toNanos();
        this.syncNanos = config.syncInterval().toNanos();
        this.intervalSeconds = config.syncInterval().toNanos() / 1e9;
        this.idleReturnIntervals = (int) Math.max(3, Math.ceil(IDLE_RETURN_SECONDS / intervalSeconds));
        this.rateWeight = Math.min(1.0, intervalSeconds);
        if (config.plans() != null) {
            Map<String, Quota> tiers = new LinkedHashMap<>();
            config.plans().tiers().forEach((name, tier) -> tiers.put(name, Quota.of(config.algorithm(), tier)));
            this.tierQuotas = Map.copyOf(tiers);
            this.quota = null;
        } else {
            this.tierQuotas = Map.of();
            this.quota = Quota.of(config.algorithm(), config.quota());
        }
        this.owner = owner;
        this.paths = config.paths().stream().map(PathPattern::compile).toArray(PathPattern[]::new);
        this.methods = config.methods();
        this.headerNames = config.key().stream()
                .map(p -> p.kind() == KeyPart.Kind.HEADER ? HeaderNames.create(p.header()) : null)
                .toArray(HeaderName[]::new);
    }

    /**
     * The counter's key in the cluster: owner (domain or edge), scope, limit name, algorithm and
     * window (a changed algorithm or window must not read state written under the other), then the
     * request's key.
     */
    static String clusterKey(String owner, String scope, RateLimitConfig config, Quota quota, String key) {
        return owner + "/" + scope + "/" + config.name() + "/" + config.algorithm().text() + "-"
                + quota.windowSeconds() + "s/" + key;
    }

    RateLimitConfig config() {
        return config;
    }

    RateLimitStats stats() {
        return stats;
    }

    boolean enforced() {
        return config.enforce();
    }

    /** True for strict and fast limits that have a cluster to talk to. */
    boolean clustered() {
        return cluster != null;
    }

    /** Whether this limit applies to the request at all ({@code match}). */
    boolean applies(Exchange ex) {
        if (!methods.isEmpty() && !methods.contains(ex.request().prologue().method().text())) {
            return false;
        }
        if (paths.length == 0) {
            return true;
        }
        List<String> segments = ex.path().segments();
        for (PathPattern p : paths) {
            if (p.match(segments) != null) {
                return true;
            }
        }
        return false;
    }

    Decision decide(Exchange ex) {
        String tier = config.plans() == null ? null : config.plans().tierName(consumer(ex.attribute(Identity.class)));
        return decide(tier, key(ex, tier));
    }

    /** The decision for a computed key ({@code tier} null unless the limit has plans). */
    Decision decide(String tier, String key) {
        long now = clock.getAsLong();
        KeyState ks = keyState(tier, key, now);
        if (cluster == null) {
            return decideLocal(ks, now);
        }
        if (!cluster.available() || now < ks.backoffUntil) {
            return fallback(ks, now);
        }
        return config.mode() == Mode.STRICT ? decideStrict(ks, now) : decideFast(ks, now);
    }

    // --- keys ------------------------------------------------------------------------------------

    private KeyState keyState(String tier, String key, long now) {
        Quota q = tier == null ? quota : tierQuotas.get(tier);
        KeyState ks = keys.get(key);
        if (ks == null) {
            if (keys.size() >= config.maxKeys()) {
                makeRoom(now);
            }
            Quota kq = q;
            String tierName = tier;
            ks = keys.computeIfAbsent(key, k -> new KeyState(kq, tierName, clusterKey(owner, scope, config, kq, k),
                    tierName == null ? config.name() : config.name() + "-" + tierName));
        }
        ks.lastUsed = now;
        return ks;
    }

    /**
     * Bounded memory without punishing newcomers: at {@code max-keys}, the least recently used of a
     * sample of tracked keys is forgotten to make room for the new one. (Counting new keys together
     * on one shared counter, as before, let whoever owns many keys exhaust it and have every new
     * client's first request refused.) A key in use is never the oldest of its sample unless the table
     * churns through {@code max-keys} keys faster than that key comes back; a client with more keys than
     * the table holds gains nothing it did not have already, since each new key has its own full limit.
     * The cost falls only on requests that bring a new key into a full table.
     */
    private void makeRoom(long now) {
        evictionLock.lock();
        try {
            // Other threads may have made room meanwhile; a few concurrent inserts may overshoot by
            // as many keys as requests decided at once, which the next eviction takes back.
            for (int evicted = 0; evicted < 4 && keys.size() >= config.maxKeys(); evicted++) {
                Map.Entry<String, KeyState> oldest = sampleOldest();
                if (oldest == null) {
                    return;
                }
                if (keys.remove(oldest.getKey(), oldest.getValue())) {
                    stats.keyEvictions.increment();
                    returnLease(oldest.getValue(), now);
                }
            }
        } finally {
            evictionLock.unlock();
        }
    }

    /**
     * The least recently used of the next {@link #EVICTION_SAMPLE} keys, preferring one without a
     * cluster call under way (its answer would bring permits to a forgotten key).
     */
    private Map.Entry<String, KeyState> sampleOldest() {
        Map.Entry<String, KeyState> oldest = null;
        boolean oldestBusy = true;
        for (int i = 0; i < EVICTION_SAMPLE; i++) {
            if (evictionHand == null || !evictionHand.hasNext()) {
                evictionHand = keys.entrySet().iterator();
                if (!evictionHand.hasNext()) {
                    break;
                }
            }
            Map.Entry<String, KeyState> e = evictionHand.next();
            KeyState ks = e.getValue();
            boolean busy;
            synchronized (ks) {
                busy = ks.inflight != null;
            }
            if (oldest == null || (oldestBusy && !busy)
                    || (busy == oldestBusy && ks.lastUsed < oldest.getValue().lastUsed)) {
                oldest = e;
                oldestBusy = busy;
            }
        }
        return oldest;
    }

    /** Fast mode: the permits an evicted key held go back to the cluster, as an idle key's do. */
    private void returnLease(KeyState ks, long now) {
        if (cluster == null || config.mode() != Mode.FAST || !cluster.available()) {
            // Local and strict keep nothing here that the cluster needs back; without a cluster, a
            // held lease is simply not returned (the cluster counted it used: conservative).
            return;
        }
        synchronized (ks) {
            if (ks.inflight != null) {
                return;
            }
            rollLease(ks, ks.quota.windowOf(now));
            if (ks.tokens > 0) {
                ks.returnTokens += ks.tokens;
                ks.returnWindow = ks.window;
                ks.tokens = 0;
            }
            if (ks.returnTokens > 0) {
                renew(ks, now, 0);
            }
        }
    }

    /**
     * The key of this request: the configured parts joined; a consumer-keyed limit counts an
     * unauthenticated request by client IP, a header-keyed one counts a request without the header
     * by client IP (the prefixes keep the spaces apart). Long keys are hashed so a flood of huge
     * header values cannot grow memory.
     */
    private String key(Exchange ex, String tier) {
        StringBuilder sb = new StringBuilder(48);
        if (tier != null) {
            sb.append(tier).append('\u001f');
        }
        List<KeyPart> parts = config.key();
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                sb.append('\u001f');
            }
            switch (parts.get(i).kind()) {
                case CLIENT_IP -> sb.append("ip=").append(ex.clientIp());
                case ROUTE -> sb.append("r=").append(ex.routeId() == null ? "edge" : ex.routeId());
                case CONSUMER -> {
                    String c = consumer(ex.attribute(Identity.class));
                    if (c == null) {
                        sb.append("ip=").append(ex.clientIp());
                    } else {
                        sb.append("c=").append(c);
                    }
                }
                case HEADER -> {
                    String v = ex.request().headers().first(headerNames[i]).orElse(null);
                    if (v == null) {
                        sb.append("ip=").append(ex.clientIp());
                    } else {
                        sb.append("h=").append(v);
                    }
                }
            }
        }
        if (sb.length() > MAX_PLAIN_KEY) {
            return "#" + sha256(sb.toString());
        }
        return sb.toString();
    }

    /** The consumer a limit counts: the identity's consumer, else its subject, else none. */
    static String consumer(Identity id) {
        if (id == null) {
            return null;
        }
        return id.consumer() != null ? id.consumer() : id.subject();
    }

    private static String sha256(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return Base64.getUrlEncoder().withoutPadding().encodeToString(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- local ------------------------------------------------------------------------------------

    private Decision decideLocal(KeyState ks, long now) {
        synchronized (ks) {
            if (ks.local == null) {
                ks.local = ks.quota.newState();
            }
            Quota.Grant g = ks.quota.take(ks.local, now, 1, 1);
            return new Decision(this, ks, g.granted() > 0, g.remaining(), g.waitNanos(), g.window(), Decision.LOCAL);
        }
    }

    /** The cluster is unavailable: this instance's share of the limit on a local counter. */
    private Decision fallback(KeyState ks, long now) {
        stats.fallbacks.increment();
        int peers = cluster.peers();
        synchronized (ks) {
            if (ks.fallbackQuota == null || ks.fallbackPeers != peers) {
                ks.fallbackQuota = ks.quota.share(peers);
                ks.fallbackPeers = peers;
            }
            if (ks.fallback == null) {
                ks.fallback = ks.fallbackQuota.newState();
            }
            Quota.Grant g = ks.fallbackQuota.take(ks.fallback, now, 1, 1);
            return new Decision(this, ks, g.granted() > 0, g.remaining(), g.waitNanos(), g.window(), Decision.FALLBACK);
        }
    }

    // --- strict -----------------------------------------------------------------------------------

    private Decision decideStrict(KeyState ks, long now) {
        Quota.Grant g;
        try {
            stats.clusterCalls.increment();
            g = cluster.take(ks.clusterKey, new ClusterTake(ks.quota, now, 1, 1, 0, 0), timeoutNanos);
            cluster.succeeded();
        } catch (Exception e) {
            clusterFailed(ks, e);
            return fallback(ks, now);
        }
        return new Decision(this, ks, g.granted() > 0, g.remaining(), g.waitNanos(), g.window(), Decision.STRICT);
    }

    /**
     * A call for this key failed: the key is decided locally for {@link #KEY_BACKOFF_NANOS} without
     * trying the cluster (a partition that is stuck, e.g. migrating, must not make every request
     * for its keys wait), and the cluster counts the failure (all calls failing: degraded).
     */
    private void clusterFailed(KeyState ks, Throwable e) {
        synchronized (ks) {
            ks.backoffUntil = clock.getAsLong() + KEY_BACKOFF_NANOS;
        }
        clusterFailed(e);
    }

    private void clusterFailed(Throwable e) {
        stats.clusterErrors.increment();
        Throwable cause = e;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        cluster.failed(cause instanceof TimeoutException ? new TimeoutException("no answer within "
                + config.clusterTimeout().toMillis() + "ms") : cause);
    }

    // --- fast -------------------------------------------------------------------------------------

    private Decision decideFast(KeyState ks, long now) {
        long deadline = System.nanoTime() + timeoutNanos;
        Quota q = ks.quota;
        boolean counted = false;
        while (true) {
            CompletableFuture<Void> pending;
            synchronized (ks) {
                if (!counted) {
                    ks.demand++;
                    counted = true;
                }
                rollLease(ks, q.windowOf(now));
                if (ks.tokens > 0) {
                    ks.tokens--;
                    if (ks.inflight == null && now >= ks.exhaustedUntil && ks.tokens * 2 <= want(ks)) {
                        // Running low: renew in the background, the request does not wait.
                        renew(ks, now);
                    }
                    long remaining = ks.tokens + ks.clusterRemaining;
                    long wait = remaining >= q.limit() ? 0 : Math.max(0, ks.nextFreeAt - now);
                    return new Decision(this, ks, true, remaining, wait, ks.window, Decision.LEASE);
                }
                if (now < ks.exhaustedUntil) {
                    return new Decision(this, ks, false, 0, Math.max(1, ks.nextFreeAt - now), ks.window, Decision.LEASE);
                }
                // No permit in hand (a new key, a new window, or demand outran the lease): this one
                // request waits for a renewal, or joins the one already under way. (A renewal that
                // fails at once has completed, and cleared inflight, on return.)
                pending = ks.inflight != null ? ks.inflight : renew(ks, now);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                // Renewals kept arriving but concurrent requests took the permits: not a cluster
                // failure, but this request has waited its budget.
                return fallback(ks, now);
            }
            try {
                pending.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                clusterFailed(ks, e);
                return fallback(ks, now);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fallback(ks, now);
            } catch (ExecutionException e) {
                return fallback(ks, now);
            }
            now = clock.getAsLong();
            if (!cluster.available() || now < ks.backoffUntil) {
                return fallback(ks, now);
            }
        }
    }

    /** A lease belongs to one window (sliding window): permits of a past window go back. */
    private static void rollLease(KeyState ks, long window) {
        if (ks.window == window) {
            return;
        }
        if (ks.tokens > 0) {
            ks.returnTokens = ks.tokens;
            ks.returnWindow = ks.window;
        }
        ks.tokens = 0;
        ks.window = window;
        ks.exhaustedUntil = 0;
    }

    /**
     * How many permits to hold: this key's demand over {@link #LEASE_SECONDS} (renewed in the
     * background at half, so a busy key costs one cluster call every couple of seconds and never
     * waits), at least 2, at most a quarter of this instance's fair share of the limit, so no
     * instance sits on permits the others need: the permits held by all instances together never
     * exceed a quarter of the limit (the bound on how far below the limit fast mode can end up).
     */
    private long want(KeyState ks) {
        double perSecond = Math.max(ks.rate, ks.demand / intervalSeconds);
        long capacity = ks.quota instanceof TokenBucketQuota tb ? tb.burst() : ks.quota.limit();
        long cap = Math.max(1, capacity / (4L * cluster.peers()));
        long wanted = (long) Math.ceil(perSecond * LEASE_SECONDS);
        return Math.max(1, Math.min(cap, Math.max(2, wanted)));
    }

    /** A renewal of one key (caller holds the lock): give back what is due, top up to {@link #want}. */
    private CompletableFuture<Void> renew(KeyState ks, long now) {
        return renew(ks, now, Math.max(0, want(ks) - ks.tokens));
    }

    private CompletableFuture<Void> renew(KeyState ks, long now, long want) {
        long giveBack = ks.returnTokens;
        long giveBackWindow = ks.returnWindow;
        ks.returnTokens = 0;
        CompletableFuture<Void> done = new CompletableFuture<>();
        ks.inflight = done;
        stats.clusterCalls.increment();
        cluster.takeAsync(ks.clusterKey, new ClusterTake(ks.quota, now, want, want > 0 ? 1 : 0, giveBack, giveBackWindow))
                .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
                .whenCompleteAsync((g, err) -> {
                    if (err != null) {
                        clusterFailed(ks, err);
                    }
                    synchronized (ks) {
                        ks.inflight = null;
                        if (err == null) {
                            cluster.succeeded();
                            applyGrant(ks, want, g);
                        }
                    }
                    done.complete(null);
                }, ClusterCounters.DIRECT);
        return done;
    }

    /** Takes a renewal's answer into the lease (caller holds the lock). */
    private void applyGrant(KeyState ks, long want, Quota.Grant g) {
        long at = clock.getAsLong();
        if (g.granted() > 0) {
            if (g.window() == ks.window || !(ks.quota instanceof SlidingWindowQuota)) {
                ks.tokens += g.granted();
            } else {
                // The window moved while the call was out: these permits are stale.
                ks.returnTokens += g.granted();
                ks.returnWindow = g.window();
            }
            ks.exhaustedUntil = 0;
        } else if (want > 0) {
            // Nothing left: reject locally until a permit frees, but ask again within one sync
            // interval, since other instances give permits back.
            ks.exhaustedUntil = at + Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(g.waitNanos(), syncNanos));
        }
        ks.clusterRemaining = g.remaining();
        ks.nextFreeAt = at + g.waitNanos();
    }

    /**
     * Every sync interval (fast mode), the reconciliation: measure each key's demand; give back
     * everything held by keys that went idle ({@link #IDLE_RETURN_SECONDS}) and the permits of a
     * past window, so permits do not sit where they are not needed. (Busy keys are topped up as
     * they consume, see {@link #decideFast}; what one key holds is capped, see {@link #want}.)
     */
    void reconcile() {
        boolean usable = cluster != null && config.mode() == Mode.FAST && cluster.available();
        long now = clock.getAsLong();
        for (KeyState ks : keys.values()) {
            synchronized (ks) {
                long demand = ks.demand;
                ks.demand = 0;
                double perSecond = demand / intervalSeconds;
                // Smoothed over about a second whatever the interval.
                ks.rate = ks.rate == 0 ? perSecond : ks.rate + (perSecond - ks.rate) * rateWeight;
                ks.idleIntervals = demand == 0 ? ks.idleIntervals + 1 : 0;
                if (!usable || ks.inflight != null || now < ks.backoffUntil) {
                    continue;
                }
                rollLease(ks, ks.quota.windowOf(now));
                if (ks.idleIntervals >= idleReturnIntervals && ks.tokens > 0) {
                    ks.returnTokens += ks.tokens;
                    ks.returnWindow = ks.window;
                    ks.tokens = 0;
                }
                if (ks.returnTokens > 0) {
                    renew(ks, now, 0);
                }
            }
        }
    }

    /** Drops keys unused for longer than their counters matter (and that hold no permits). */
    void sweep() {
        long now = clock.getAsLong();
        Iterator<KeyState> it = keys.values().iterator();
        while (it.hasNext()) {
            KeyState ks = it.next();
            long idleMillis = (now - ks.lastUsed) / 1_000_000;
            if (idleMillis < retainMillis(ks, now)) {
                continue;
            }
            synchronized (ks) {
                if (ks.tokens == 0 && ks.returnTokens == 0 && ks.inflight == null) {
                    it.remove();
                }
            }
        }
    }

    private long retainMillis(KeyState ks, long now) {
        long r = 2 * ks.quota.windowSeconds() * 1000;
        if (ks.quota instanceof TokenBucketQuota tb) {
            r = Math.max(r, tb.burst() * tb.interval() / 1_000_000);
        }
        return Math.max(r, 3 * config.syncInterval().toMillis());
    }

    int trackedKeys() {
        return keys.size();
    }

    // --- shadow mode --------------------------------------------------------------------------------

    void shadowRejected(Exchange ex) {
        stats.shadowRejected.increment();
        shadowSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastShadowLog.get();
        if ((last == Long.MIN_VALUE || now - last >= SHADOW_LOG_INTERVAL_NANOS) && lastShadowLog.compareAndSet(last, now)) {
            long n = shadowSinceLog.getAndSet(0);
            LOG.info(() -> "rate limit '" + config.name() + "' (" + scope + ", shadow mode) would have rejected " + n
                    + " request(s) since its last report; latest: " + ex.request().prologue().method().text() + " "
                    + ex.path().raw() + " request " + ex.requestId());
        }
    }

    // --- health -------------------------------------------------------------------------------------

    Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", config.name());
        m.put("scope", scope);
        m.put("mode", config.mode().text());
        m.put("algorithm", config.algorithm().text());
        if (config.quota() != null) {
            m.put("limit", config.quota().limit());
            m.put("window", RateLimitConfig.Durations.text(config.quota().window()));
            if (config.algorithm() == RateLimitConfig.Algorithm.TOKEN_BUCKET) {
                m.put("burst", config.quota().burst());
            }
        } else {
            Map<String, Object> tiers = new LinkedHashMap<>();
            config.plans().tiers().forEach((n, t) -> tiers.put(n, Map.of("limit", t.limit(), "window",
                    RateLimitConfig.Durations.text(t.window()), "burst", t.burst())));
            m.put("plans", tiers);
        }
        m.put("key", config.key().stream().map(KeyPart::text).toList());
        m.put("enforce", config.enforce());
        m.put("counters", cluster == null ? "local" : cluster.available() ? "cluster" : "degraded-to-local");
        m.put("trackedKeys", keys.size());
        m.putAll(stats.toMap());
        return m;
    }


    /** Everything this instance knows about one key. Guarded by its own monitor. */
    static final class KeyState {
        final Quota quota;
        final String tier;
        final String clusterKey;
        /** The policy's name in the headers: the limit's, with the tier for usage plans. */
        final String policy;
        /** This key's item of {@code RateLimit-Policy}, formatted once. */
        final String policyItem;
        volatile long lastUsed;
        long[] local;
        long[] fallback;
        Quota fallbackQuota;
        int fallbackPeers;
        // fast-mode lease
        long tokens;
        long window = Long.MIN_VALUE;
        long demand;
        double rate;
        int idleIntervals;
        long exhaustedUntil;
        long clusterRemaining;
        long nextFreeAt;
        long returnTokens;
        long returnWindow;
        CompletableFuture<Void> inflight;
        /** Until then (after a failed call for this key) the key is decided locally. */
        volatile long backoffUntil;

        KeyState(Quota quota, String tier, String clusterKey, String policy) {
            this.quota = quota;
            this.tier = tier;
            this.clusterKey = clusterKey;
            this.policy = policy;
            this.policyItem = RateLimitResponses.policyItem(policy, quota);
        }
    }

    /** One limit's verdict on one request, with what is needed to undo it. */
    static final class Decision {
        static final int LOCAL = 0;
        static final int FALLBACK = 1;
        static final int STRICT = 2;
        static final int LEASE = 3;

        final RateLimiter limiter;
        final KeyState ks;
        final boolean allowed;
        final long remaining;
        final long waitNanos;
        final long window;
        final int kind;

        Decision(RateLimiter limiter, KeyState ks, boolean allowed, long remaining, long waitNanos, long window, int kind) {
            this.limiter = limiter;
            this.ks = ks;
            this.allowed = allowed;
            this.remaining = remaining;
            this.waitNanos = waitNanos;
            this.window = window;
            this.kind = kind;
        }

        String policy() {
            return ks.policy;
        }

        Quota quota() {
            return ks.quota;
        }

        /**
         * Another limit rejected the request: give this permit back, so a rejected request costs
         * nothing in the limits it passed.
         */
        void refund() {
            if (!allowed) {
                return;
            }
            long now = limiter.clock.getAsLong();
            switch (kind) {
                case LOCAL -> {
                    synchronized (ks) {
                        ks.quota.giveBack(ks.local, now, 1, window);
                    }
                }
                case FALLBACK -> {
                    synchronized (ks) {
                        ks.fallbackQuota.giveBack(ks.fallback, now, 1, window);
                    }
                }
                case LEASE -> {
                    synchronized (ks) {
                        if (ks.window == window) {
                            ks.tokens++;
                        }
                    }
                }
                default -> {
                    limiter.stats.clusterCalls.increment();
                    limiter.cluster.takeAsync(ks.clusterKey, new ClusterTake(ks.quota, now, 0, 0, 1, window));
                }
            }
        }
    }
}
