package io.concierge.gateway.discovery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;

import io.concierge.gateway.cluster.ClusterMember;
import io.concierge.gateway.config.AddressRanges;

/**
 * The default discovery: registrations live in a Hazelcast map that every member of the mesh's
 * cluster sees. Each entry records the cluster member that wrote it; when that member leaves or is
 * declared dead its entries stop counting at once (the snapshot ignores them) and are then removed.
 * Values are JSON, so members of different versions can still read each other.
 *
 * <p>Anything that joins the cluster can write this map (open-source Hazelcast has no member
 * authentication), so every entry is checked before it counts: well formed as configuration would
 * be ({@link RegistrationCheck}), written for a live member whose address is in the trusted ranges
 * ({@code cluster.trusted-members}), and pointing at an address in those ranges. An entry that fails
 * is ignored and counted ({@link #describe()}: {@code ignoredEntries}), never dispatched to.
 *
 * <p>Values carry {@code format} (absent: 1). A reader takes the fields it knows from any format:
 * fields are only ever added; a change of meaning would need a new map.
 */
public final class EmbeddedRegistry implements Discovery {
    static final String MAP_NAME = "concierge.registry";
    /** The registry value format this code writes. */
    static final int FORMAT = 2;
    private static final int MAX_REMEMBERED_BAD = 10_000;
    private static final Logger LOG = Logger.getLogger(EmbeddedRegistry.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP_TYPE = new TypeReference<>() { };

    private final HazelcastInstance hz;
    private final IMap<String, String> map;
    private final Map<String, Registration> own = new ConcurrentHashMap<>();
    private final List<Consumer<List<Registration>>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService notifier;
    private final AtomicBoolean notifyPending = new AtomicBoolean();
    private volatile List<Registration> last = List.of();
    private final AddressRanges trusted;
    private final Map<RegistrationCheck.Reason, LongAdder> ignored = new EnumMap<>(RegistrationCheck.Reason.class);
    /** Entries (key and value) already counted, so a bad entry counts once, not once per re-read. */
    private final Set<String> countedBad = ConcurrentHashMap.newKeySet();
    private final LongAdder untrustedMembers = new LongAdder();
    private volatile int ignoredNow;
    private volatile boolean closed;

    public EmbeddedRegistry(HazelcastInstance hz) {
        this.hz = hz;
        Object ranges = hz.getUserContext().get(ClusterMember.TRUSTED_MEMBERS);
        this.trusted = ranges instanceof AddressRanges r ? r : AddressRanges.any();
        for (RegistrationCheck.Reason reason : RegistrationCheck.Reason.values()) {
            ignored.put(reason, new LongAdder());
        }
        this.map = hz.getMap(MAP_NAME);
        this.notifier = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "concierge-registry");
            t.setDaemon(true);
            return t;
        });
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                noteIfUntrusted(event.getMember());
                scheduleNotify();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                purge(event.getMember().getUuid().toString());
                scheduleNotify();
            }
        });
        hz.getCluster().getMembers().forEach(this::noteIfUntrusted);
        map.addEntryListener(new Changes(), false);
        // A periodic pass heals what events can miss: registrations purged by other members while
        // this one was briefly cut off are written again, and listeners see any drift.
        notifier.scheduleWithFixedDelay(this::resync, 2, 2, TimeUnit.SECONDS);
    }

    @Override
    public void register(Registration registration) {
        own.put(registration.instanceId(), registration);
        map.put(registration.instanceId(), encode(registration));
    }

    @Override
    public void deregister(String instanceId) {
        own.remove(instanceId);
        try {
            map.remove(instanceId);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "deregistration of " + instanceId + " failed; member loss will purge it", e);
        }
    }

    @Override
    public List<Registration> snapshot() {
        Set<String> live = new HashSet<>();
        Set<String> liveUntrusted = new HashSet<>();
        for (Member m : hz.getCluster().getMembers()) {
            (trusted(m) ? live : liveUntrusted).add(m.getUuid().toString());
        }
        List<Registration> result = new ArrayList<>();
        int bad = 0;
        for (Map.Entry<String, String> e : map.entrySet()) {
            String value = e.getValue();
            Map<String, Object> raw = decodeRaw(value);
            RegistrationCheck.Reason reason = null;
            Registration r = null;
            if (raw == null) {
                reason = RegistrationCheck.Reason.MALFORMED;
            } else {
                String member = String.valueOf(raw.get("member"));
                if (liveUntrusted.contains(member)) {
                    reason = RegistrationCheck.Reason.UNTRUSTED_MEMBER;
                } else if (!live.contains(member)) {
                    continue; // a departed member's entry, about to be purged: not an attack
                } else {
                    r = decode(raw);
                    reason = r == null ? RegistrationCheck.Reason.MALFORMED : RegistrationCheck.problem(r, trusted);
                }
            }
            if (reason != null) {
                bad++;
                countOnce(reason, e.getKey(), value);
                continue;
            }
            result.add(r);
        }
        ignoredNow = bad;
        result.sort(Comparator.comparing(Registration::instanceId));
        return List.copyOf(result);
    }

    private void noteIfUntrusted(Member m) {
        if (!trusted(m)) {
            untrustedMembers.increment();
            LOG.warning("cluster member " + m.getAddress() + " is outside cluster.trusted-members " + trusted
                    + ": its registry entries are ignored; isolate the cluster port (docs/operations.md#cluster-isolation)");
        }
    }

    /** This member itself always counts: what it writes, it wrote. */
    private boolean trusted(Member m) {
        try {
            return trusted.isAny() || m.localMember() || trusted.contains(m.getAddress().getInetAddress());
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private void countOnce(RegistrationCheck.Reason reason, String key, String value) {
        if (countedBad.size() > MAX_REMEMBERED_BAD) {
            countedBad.clear();
        }
        if (countedBad.add(key + '\n' + value)) {
            ignored.get(reason).increment();
            LOG.warning(() -> "ignoring registry entry '" + key + "' (" + reason.key() + ")");
        }
    }

    @Override
    public void watch(Consumer<List<Registration>> listener) {
        listeners.add(listener);
        scheduleNotify();
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("type", "embedded");
        d.put("cluster", hz.getConfig().getClusterName());
        d.put("members", hz.getCluster().getMembers().size());
        d.put("registrations", last.size());
        d.put("trustedMembers", trusted.toString());
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("now", ignoredNow);
        for (Map.Entry<RegistrationCheck.Reason, LongAdder> e : ignored.entrySet()) {
            bad.put(e.getKey().key(), e.getValue().sum());
        }
        d.put("ignoredEntries", bad);
        d.put("untrustedMembers", untrustedMembers.sum());
        return d;
    }

    @Override
    public void close() {
        closed = true;
        for (String id : List.copyOf(own.keySet())) {
            deregister(id);
        }
        notifier.shutdownNow();
    }

    private void scheduleNotify() {
        if (!closed && notifyPending.compareAndSet(false, true)) {
            notifier.execute(this::notifyListeners);
        }
    }

    private void notifyListeners() {
        notifyPending.set(false);
        if (closed || !hz.getLifecycleService().isRunning()) {
            return;
        }
        try {
            List<Registration> now = snapshot();
            last = now;
            for (Consumer<List<Registration>> l : listeners) {
                l.accept(now);
            }
        } catch (RuntimeException e) {
            // Keep the last known table; the next event or resync tries again.
            LOG.log(Level.WARNING, "registry refresh failed: " + e);
        }
    }

    private void resync() {
        if (closed || !hz.getLifecycleService().isRunning()) {
            return;
        }
        try {
            for (Registration r : own.values()) {
                map.putIfAbsent(r.instanceId(), encode(r));
            }
            List<Registration> now = snapshot();
            if (!now.equals(last)) {
                scheduleNotify();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "registry resync failed", e);
        }
    }

    private void purge(String memberUuid) {
        if (closed || !hz.getLifecycleService().isRunning()) {
            return;
        }
        try {
            for (Map.Entry<String, String> e : map.entrySet()) {
                Map<String, Object> raw = decodeRaw(e.getValue());
                if (raw != null && memberUuid.equals(String.valueOf(raw.get("member")))) {
                    map.remove(e.getKey(), e.getValue());
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "purge of departed member's registrations failed", e);
        }
    }

    private String encode(Registration r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("instanceId", r.instanceId());
        m.put("domain", r.domain());
        m.put("prefixes", r.prefixes());
        m.put("host", r.host());
        m.put("port", r.port());
        m.put("adminPort", r.adminPort());
        m.put("registeredAt", r.registeredAt());
        m.put("metadata", r.metadata());
        m.put("member", hz.getCluster().getLocalMember().getUuid().toString());
        try {
            return JSON.writeValueAsString(m);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> decodeRaw(String value) {
        try {
            return JSON.readValue(value, MAP_TYPE);
        } catch (Exception e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Registration decode(Map<String, Object> m) {
        try {
            return new Registration((String) m.get("instanceId"), (String) m.get("domain"),
                    List.copyOf((List<String>) m.get("prefixes")), (String) m.get("host"),
                    ((Number) m.get("port")).intValue(), ((Number) m.get("adminPort")).intValue(),
                    ((Number) m.get("registeredAt")).longValue(),
                    Map.copyOf((Map<String, String>) m.getOrDefault("metadata", Map.of())));
        } catch (RuntimeException e) {
            return null; // counted and logged once by the caller
        }
    }

    private final class Changes implements EntryAddedListener<String, String>, EntryRemovedListener<String, String>,
            EntryUpdatedListener<String, String> {
        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            scheduleNotify();
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            scheduleNotify();
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            scheduleNotify();
        }
    }
}
