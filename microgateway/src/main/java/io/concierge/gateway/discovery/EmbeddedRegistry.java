package io.concierge.gateway.discovery;

import java.util.ArrayList;
import java.util.Comparator;
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

/**
 * The default discovery: registrations live in a Hazelcast map that every member of the mesh's
 * cluster sees. Each entry records the cluster member that wrote it; when that member leaves or is
 * declared dead its entries stop counting at once (the snapshot ignores them) and are then removed.
 * Values are JSON, so members of different versions can still read each other.
 */
public final class EmbeddedRegistry implements Discovery {
    static final String MAP_NAME = "concierge.registry";
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
    private volatile boolean closed;

    public EmbeddedRegistry(HazelcastInstance hz) {
        this.hz = hz;
        this.map = hz.getMap(MAP_NAME);
        this.notifier = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "concierge-registry");
            t.setDaemon(true);
            return t;
        });
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                scheduleNotify();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                purge(event.getMember().getUuid().toString());
                scheduleNotify();
            }
        });
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
        for (Member m : hz.getCluster().getMembers()) {
            live.add(m.getUuid().toString());
        }
        List<Registration> result = new ArrayList<>();
        for (String value : map.values()) {
            Map<String, Object> raw = decodeRaw(value);
            if (raw == null || !live.contains(String.valueOf(raw.get("member")))) {
                continue;
            }
            Registration r = decode(raw);
            if (r != null) {
                result.add(r);
            }
        }
        result.sort(Comparator.comparing(Registration::instanceId));
        return List.copyOf(result);
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
            LOG.log(Level.WARNING, "ignoring malformed registration " + m.get("instanceId"));
            return null;
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
