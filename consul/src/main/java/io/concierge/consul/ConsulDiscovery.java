package io.concierge.consul;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.concierge.gateway.discovery.Discovery;
import io.concierge.gateway.discovery.Registration;

/**
 * Discovery on Consul. Registering puts the instance on the local agent with an HTTP check on the
 * gateway's admin {@code /health/live}; watching runs one blocking query loop over the passing instances
 * of the service.
 *
 * <p>Fail-open on purpose: when Consul cannot be reached, the last known set of instances keeps
 * serving (the instances themselves are probably still fine, and an empty table would turn a
 * registry outage into a full outage). Every failed call is counted and the staleness is shown in
 * {@link #describe()}. Registrations that could not be written, or that the agent lost (restarted
 * without state), are written again by a keeper loop.
 */
public final class ConsulDiscovery implements Discovery {
    private static final Logger LOG = Logger.getLogger(ConsulDiscovery.class.getName());
    /** Consul's blocking-query guide asks clients to rate-limit their loop; this is the floor. */
    private static final Duration MIN_QUERY_GAP = Duration.ofMillis(50);

    private final ConsulSettings settings;
    private final ConsulClient client;
    private final Map<String, Owned> own = new ConcurrentHashMap<>();
    private final List<Consumer<List<Registration>>> listeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock notifyLock = new ReentrantLock();
    private final ReentrantLock keeperLock = new ReentrantLock();
    private final Condition keeperWake = keeperLock.newCondition();
    /** Guarded by keeperLock: a wake-up that arrived while the keeper was busy is not lost. */
    private boolean keeperWakeRequested;
    private final Thread keeper;
    private volatile Thread watcher;
    private volatile boolean closed;

    private volatile List<Registration> last = List.of();
    private volatile boolean haveData;
    private volatile long index;
    private volatile Instant lastSuccess;
    private volatile Instant staleSince;
    private volatile String lastError;

    // Counters for health now and for /metrics later (ConsulStats).
    final AtomicLong registrations = new AtomicLong();
    final AtomicLong registrationErrors = new AtomicLong();
    final AtomicLong reregistrations = new AtomicLong();
    final AtomicLong deregistrations = new AtomicLong();
    final AtomicLong deregistrationErrors = new AtomicLong();
    final AtomicLong watchQueries = new AtomicLong();
    final AtomicLong watchErrors = new AtomicLong();
    final AtomicLong watchChanges = new AtomicLong();
    final AtomicLong indexResets = new AtomicLong();
    final AtomicLong staleResponses = new AtomicLong();

    /** One of this process's registrations and when the keeper looks at it next. */
    private static final class Owned {
        final Registration registration;
        volatile boolean written;
        volatile long nextCheckNanos;
        volatile int failures;

        Owned(Registration registration) {
            this.registration = registration;
        }
    }

    public ConsulDiscovery(ConsulSettings settings) {
        this.settings = settings;
        this.client = new ConsulClient(settings);
        this.keeper = Thread.ofVirtual().name("consul-keeper").start(this::keep);
    }

    public ConsulSettings settings() {
        return settings;
    }

    /**
     * Writes the registration at once; if Consul is not reachable the gateway still starts and the
     * keeper retries with backoff (a registry outage must not stop a gateway from starting).
     */
    @Override
    public void register(Registration registration) {
        Owned o = new Owned(registration);
        // Fails loudly for a definition Consul would refuse anyway (too long prefixes).
        ServiceDefinitions.definition(registration, settings);
        o.nextCheckNanos = System.nanoTime() + settings.resyncInterval().toNanos();
        own.put(registration.instanceId(), o);
        write(o);
    }

    @Override
    public void deregister(String instanceId) {
        Owned o = own.remove(instanceId);
        if (o == null) {
            return;
        }
        try {
            client.deregister(instanceId);
            deregistrations.incrementAndGet();
            LOG.info(() -> "deregistered " + instanceId + " from Consul");
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // The check turns critical once this process is gone, and the agent removes the
            // instance after deregister-critical-after; until then the edge skips it as not passing.
            deregistrationErrors.incrementAndGet();
            LOG.warning("deregistration of " + instanceId + " from Consul failed (" + reason(e)
                    + "); its health check will take it out of rotation");
        }
    }

    @Override
    public List<Registration> snapshot() {
        if (watcher != null || closed) {
            return last;
        }
        try {
            ConsulClient.HealthAnswer a = client.passingInstances(0, settings.watchWait());
            watchQueries.incrementAndGet();
            accept(a);
        } catch (IOException e) {
            failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return last;
    }

    @Override
    public void watch(Consumer<List<Registration>> listener) {
        listeners.add(listener);
        if (haveData) {
            notifyLock.lock();
            try {
                listener.accept(last);
            } finally {
                notifyLock.unlock();
            }
        }
        synchronized (this) {
            if (watcher == null && !closed) {
                watcher = Thread.ofVirtual().name("consul-watch-" + settings.serviceName()).start(this::watchLoop);
            }
        }
    }

    /**
     * The blocking-query loop of https://developer.hashicorp.com/consul/api-docs/features/blocking:
     * block on the last {@code X-Consul-Index}; reset to 0 when the index goes backwards (a
     * restarted agent or restored snapshot), use 1 when it is not above 0, and back off with
     * jitter after errors.
     */
    private void watchLoop() {
        int failures = 0;
        while (!closed) {
            long started = System.nanoTime();
            try {
                long sent = index;
                ConsulClient.HealthAnswer a = client.passingInstances(sent, settings.watchWait());
                watchQueries.incrementAndGet();
                long next = a.index();
                if (next < sent) {
                    indexResets.incrementAndGet();
                    LOG.info(() -> "Consul index went backwards (" + sent + " -> " + a.index()
                            + "); restarting the watch from 0");
                    next = 0;
                } else if (next <= 0) {
                    next = 1;
                }
                index = next;
                accept(a);
                failures = 0;
                if (next != 0) {
                    pauseAtLeast(started, MIN_QUERY_GAP);
                }
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                failed(e);
                pause(backoff(failures++));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void accept(ConsulClient.HealthAnswer a) {
        List<Registration> now = new ArrayList<>();
        for (Map<String, Object> entry : a.entries()) {
            Registration r = ServiceDefinitions.fromEntry(entry);
            if (r != null) {
                now.add(r);
            }
        }
        now.sort(Comparator.comparing(Registration::instanceId));
        lastSuccess = Instant.now();
        staleSince = null;
        lastError = null;
        List<Registration> changed = null;
        notifyLock.lock();
        try {
            boolean first = !haveData;
            haveData = true;
            if (first || !now.equals(last)) {
                last = List.copyOf(now);
                watchChanges.incrementAndGet();
                changed = last;
                for (Consumer<List<Registration>> l : listeners) {
                    try {
                        l.accept(changed);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "discovery listener failed", e);
                    }
                }
            }
        } finally {
            notifyLock.unlock();
        }
    }

    private void failed(IOException e) {
        watchErrors.incrementAndGet();
        if (haveData) {
            staleResponses.incrementAndGet();
        }
        if (staleSince == null) {
            staleSince = Instant.now();
            LOG.warning("Consul watch failed (" + reason(e) + "); serving the last known "
                    + last.size() + " instances until it answers again");
        }
        lastError = reason(e);
    }

    private static String reason(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Writes pending registrations and checks written ones against the agent, until closed. */
    private void keep() {
        while (!closed) {
            long now = System.nanoTime();
            long nextWake = now + settings.resyncInterval().toNanos();
            for (Owned o : own.values()) {
                if (closed) {
                    return;
                }
                if (o.nextCheckNanos - now <= 0) {
                    if (!o.written) {
                        write(o);
                    } else {
                        verify(o);
                    }
                }
                nextWake = Math.min(nextWake, o.nextCheckNanos);
            }
            keeperLock.lock();
            try {
                long waitNanos = nextWake - System.nanoTime();
                if (waitNanos > 0 && !closed && !keeperWakeRequested) {
                    keeperWake.awaitNanos(waitNanos);
                }
                keeperWakeRequested = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                keeperLock.unlock();
            }
        }
    }

    private void write(Owned o) {
        Registration r = o.registration;
        try {
            client.register(ServiceDefinitions.definition(r, settings));
            if (own.get(r.instanceId()) != o) {
                // Deregistered while this write was in flight (shutdown racing the keeper): undo it.
                client.deregister(r.instanceId());
                return;
            }
            if (o.written) {
                reregistrations.incrementAndGet();
            }
            registrations.incrementAndGet();
            o.written = true;
            o.failures = 0;
            o.nextCheckNanos = System.nanoTime() + settings.resyncInterval().toNanos();
            LOG.info(() -> "registered " + r.instanceId() + " in Consul as '" + settings.serviceName() + "'");
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            registrationErrors.incrementAndGet();
            o.nextCheckNanos = System.nanoTime() + backoff(o.failures++).toNanos();
            LOG.warning("registration of " + r.instanceId() + " in Consul failed (" + reason(e) + "); retrying");
            wakeKeeper();
        }
    }

    private void verify(Owned o) {
        try {
            if (!client.isRegistered(o.registration.instanceId())) {
                // The agent restarted without its state (dev mode, new container): write it again.
                LOG.warning("Consul lost the registration of " + o.registration.instanceId() + "; registering again");
                if (own.containsKey(o.registration.instanceId())) {
                    write(o);
                }
                return;
            }
            o.failures = 0;
            o.nextCheckNanos = System.nanoTime() + settings.resyncInterval().toNanos();
        } catch (IOException e) {
            registrationErrors.incrementAndGet();
            o.nextCheckNanos = System.nanoTime() + backoff(o.failures++).toNanos();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void wakeKeeper() {
        keeperLock.lock();
        try {
            keeperWakeRequested = true;
            keeperWake.signalAll();
        } finally {
            keeperLock.unlock();
        }
    }

    /** Exponential from backoff-min to backoff-max, with "equal jitter": between half and all of it. */
    Duration backoff(int failures) {
        long min = settings.backoffMin().toMillis();
        long max = settings.backoffMax().toMillis();
        long base = min << Math.min(failures, 20);
        if (base <= 0 || base > max) {
            base = max;
        }
        long half = base / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(base - half + 1));
    }

    private void pause(Duration d) {
        try {
            TimeUnit.NANOSECONDS.sleep(d.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pauseAtLeast(long startedNanos, Duration gap) throws InterruptedException {
        long left = gap.toNanos() - (System.nanoTime() - startedNanos);
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** Counters and watch state; see docs/operations.md for each field. */
    public ConsulStats stats() {
        return new ConsulStats(registrations.get(), registrationErrors.get(), reregistrations.get(),
                deregistrations.get(), deregistrationErrors.get(), watchQueries.get(), watchErrors.get(),
                watchChanges.get(), indexResets.get(), staleResponses.get(), staleSince != null, index, last.size());
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("type", "consul");
        d.put("address", settings.address().toString());
        d.put("service", settings.serviceName());
        if (settings.datacenter() != null) {
            d.put("datacenter", settings.datacenter());
        }
        if (settings.namespace() != null) {
            d.put("namespace", settings.namespace());
        }
        d.put("registrations", last.size());
        long unwritten = own.values().stream().filter(o -> !o.written).count();
        // STALE: serving the last known set because Consul does not answer; WAITING: no answer yet;
        // REGISTERING: an own registration is not written yet (Consul unreachable at start).
        String status = staleSince != null ? "STALE" : watcher != null && !haveData ? "WAITING"
                : unwritten > 0 ? "REGISTERING" : "OK";
        d.put("status", status);
        if (staleSince != null) {
            d.put("staleSince", staleSince.toString());
            d.put("lastError", lastError);
        }
        if (lastSuccess != null) {
            d.put("lastSuccess", lastSuccess.toString());
        }
        d.put("index", index);
        d.put("own", own.size());
        d.putAll(stats().asMap());
        return d;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (String id : List.copyOf(own.keySet())) {
            deregister(id);
        }
        closed = true;
        wakeKeeper();
        keeper.interrupt();
        Thread w = watcher;
        if (w != null) {
            w.interrupt();
        }
        client.close();
        try {
            keeper.join(Duration.ofSeconds(5));
            if (w != null) {
                w.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
