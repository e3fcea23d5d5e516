package io.concierge.consul.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for a Consul agent (no Consul binary or container can run on our machines): a real HTTP
 * server implementing the subset of the HTTP API that Concierge uses, with Consul's documented
 * semantics. Each part cites the page it follows:
 *
 * <ul>
 *   <li>{@code PUT /v1/agent/service/register}, {@code PUT /v1/agent/service/deregister/:service_id},
 *       {@code GET /v1/agent/service/:service_id} —
 *       https://developer.hashicorp.com/consul/api-docs/agent/service</li>
 *   <li>{@code GET /v1/health/service/:service} with {@code passing}, {@code dc}, {@code ns} —
 *       https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-service
 *       (entries shaped like its sample response: {@code Node}, {@code Service}, {@code Checks})</li>
 *   <li>blocking: {@code index} and {@code wait} (default 5m, at most 10m, plus up to wait/16 of
 *       jitter), {@code X-Consul-Index} on every answer, the request hangs until the index moves past
 *       the one given or the wait elapses —
 *       https://developer.hashicorp.com/consul/api-docs/features/blocking</li>
 *   <li>HTTP checks that really poll the URL: 2xx passing, 429 warning, anything else or no answer
 *       critical; first run staggered within the interval; {@code DeregisterCriticalServiceAfter}
 *       reaps a service whose check stayed critical, never sooner than one minute, by a reaper that
 *       runs every 30 s — https://developer.hashicorp.com/consul/docs/services/usage/checks#http-checks
 *       and .../api-docs/agent/check#deregistercriticalserviceafter. Tests may lower the floor and
 *       the reaper period ({@link Builder}) to keep runs short; the defaults are Consul's.</li>
 *   <li>{@code GET /v1/status/leader} (the launcher's "is an agent there" probe) —
 *       https://developer.hashicorp.com/consul/api-docs/status</li>
 *   <li>ACLs: with a token configured, a request without one gets 403 {@code Permission denied}, a
 *       wrong one 403 {@code ACL not found}; the token is read from {@code X-Consul-Token},
 *       {@code Authorization: Bearer} or {@code ?token=} —
 *       https://developer.hashicorp.com/consul/api-docs/api-structure#authentication</li>
 * </ul>
 *
 * The raft index starts low on every start, so a "restarted agent" is a new stand-in on the same
 * port: its indexes are lower than the ones clients hold, as after a real restart without state.
 * Like an agent's {@code check_update_interval}, a check whose output changes but whose status does
 * not is not a catalog change and wakes no blocking query.
 */
public final class ConsulAgentStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() { };
    private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(ns|us|µs|ms|s|m|h)");
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);

    /** One request as it arrived, for assertions. */
    public record Request(String method, String path, Map<String, String> query, String token, String body) {
    }

    /** Settings; the defaults are Consul's. */
    public static final class Builder {
        private int port;
        private String aclToken;
        private String datacenter = "dc1";
        private Duration deregisterFloor = Duration.ofMinutes(1);
        private Duration reapInterval = Duration.ofSeconds(30);
        private java.util.function.Consumer<Request> onRequest = r -> { };

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Turns ACLs on: every call must carry this token. */
        public Builder aclToken(String token) {
            this.aclToken = token;
            return this;
        }

        public Builder datacenter(String dc) {
            this.datacenter = dc;
            return this;
        }

        /** Test acceleration: Consul never reaps before 1m; tests may allow sooner. */
        public Builder deregisterFloor(Duration floor) {
            this.deregisterFloor = floor;
            return this;
        }

        /** Test acceleration: Consul's reaper runs every 30 s. */
        public Builder reapInterval(Duration interval) {
            this.reapInterval = interval;
            return this;
        }

        /** Called with every request as it arrives (the stand-in's own process logs them). */
        public Builder onRequest(java.util.function.Consumer<Request> listener) {
            this.onRequest = listener;
            return this;
        }

        public ConsulAgentStandIn start() {
            return new ConsulAgentStandIn(this);
        }
    }

    private final class Service {
        final String id;
        final String name;
        final List<String> tags;
        final String address;
        final int port;
        final Map<String, String> meta;
        final boolean enableTagOverride;
        final long createIndex;
        long modifyIndex;
        Check check;

        Service(String id, String name, List<String> tags, String address, int port, Map<String, String> meta,
                boolean enableTagOverride, long createIndex) {
            this.id = id;
            this.name = name;
            this.tags = tags;
            this.address = address;
            this.port = port;
            this.meta = meta;
            this.enableTagOverride = enableTagOverride;
            this.createIndex = createIndex;
            this.modifyIndex = createIndex;
        }
    }

    private static final class Check {
        final String id;
        final String name;
        final String url;
        final String method;
        final Duration interval;
        final Duration timeout;
        final Duration deregisterAfter;
        final long createIndex;
        long modifyIndex;
        String status;
        String output = "";
        long criticalSinceNanos;
        ScheduledFuture<?> run;

        Check(String id, String name, String url, String method, Duration interval, Duration timeout,
              Duration deregisterAfter, String status, long createIndex) {
            this.id = id;
            this.name = name;
            this.url = url;
            this.method = method;
            this.interval = interval;
            this.timeout = timeout;
            this.deregisterAfter = deregisterAfter;
            this.status = status;
            this.createIndex = createIndex;
            this.modifyIndex = createIndex;
            this.criticalSinceNanos = "critical".equals(status) ? System.nanoTime() : 0;
        }
    }

    private final Builder options;
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService checks = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "consul-standin-checks");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient checkClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final String nodeId = UUID.randomUUID().toString();
    private final Object lock = new Object();
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final Map<String, Long> nameIndex = new HashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private long raftIndex = 1;
    private volatile boolean closed;

    public static Builder builder() {
        return new Builder();
    }

    public static ConsulAgentStandIn start() {
        return builder().start();
    }

    private ConsulAgentStandIn(Builder options) {
        this.options = options;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", options.port), 64);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind the Consul stand-in to port " + options.port, e);
        }
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
        long reap = options.reapInterval.toMillis();
        checks.scheduleWithFixedDelay(this::reap, reap, reap, TimeUnit.MILLISECONDS);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String address() {
        return "http://127.0.0.1:" + port();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Service IDs the agent has now. */
    public List<String> serviceIds() {
        synchronized (lock) {
            return List.copyOf(services.keySet());
        }
    }

    /** The status of a service's check, or null when there is no such service or check. */
    public String checkStatus(String serviceId) {
        synchronized (lock) {
            Service s = services.get(serviceId);
            return s == null || s.check == null ? null : s.check.status;
        }
    }

    public long index() {
        synchronized (lock) {
            return raftIndex;
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        server.stop(0);
        checks.shutdownNow();
        handlers.shutdownNow();
        checkClient.shutdownNow();
    }

    // --- HTTP ------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            String token = token(ex, query);
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(ex.getRequestMethod(), path, query, token, body);
            requests.add(request);
            options.onRequest.accept(request);
            if (options.aclToken != null && !options.aclToken.equals(token)) {
                text(ex, 403, token == null || token.isEmpty() ? "Permission denied" : "ACL not found");
                return;
            }
            String method = ex.getRequestMethod();
            if (path.equals("/v1/agent/service/register")) {
                requireMethod(ex, method, "PUT", () -> register(ex, body));
            } else if (path.startsWith("/v1/agent/service/deregister/")) {
                String id = decode(path.substring("/v1/agent/service/deregister/".length()));
                requireMethod(ex, method, "PUT", () -> deregister(ex, id));
            } else if (path.startsWith("/v1/agent/service/")) {
                String id = decode(path.substring("/v1/agent/service/".length()));
                requireMethod(ex, method, "GET", () -> serviceConfig(ex, id));
            } else if (path.equals("/v1/status/leader")) {
                // https://developer.hashicorp.com/consul/api-docs/status: the leader's address as a JSON string.
                requireMethod(ex, method, "GET", () -> json(ex, 200, "127.0.0.1:8300", -1));
            } else if (path.startsWith("/v1/health/service/")) {
                String name = decode(path.substring("/v1/health/service/".length()));
                requireMethod(ex, method, "GET", () -> health(ex, name, query));
            } else {
                text(ex, 404, "");
            }
        } catch (IOException e) {
            // The client went away (or the stand-in is closing): nothing to answer.
        }
    }

    private interface Action {
        void run() throws IOException;
    }

    private void requireMethod(HttpExchange ex, String method, String allowed, Action action) throws IOException {
        if (!method.equals(allowed)) {
            // Consul answers a wrong method with 405 and the allowed ones.
            ex.getResponseHeaders().set("Allow", allowed);
            text(ex, 405, "method " + method + " not allowed");
            return;
        }
        action.run();
    }

    private void register(HttpExchange ex, String body) throws IOException {
        Map<String, Object> def;
        try {
            def = JSON.readValue(body, OBJECT);
        } catch (IOException e) {
            text(ex, 400, "Request decode failed: " + e.getMessage());
            return;
        }
        String name = str(def, "Name");
        if (name == null || name.isEmpty()) {
            text(ex, 400, "Missing service name");
            return;
        }
        String id = str(def, "ID");
        if (id == null || id.isEmpty()) {
            id = name; // documented default: ID defaults to Name
        }
        Object portValue = field(def, "Port");
        int port = portValue instanceof Number n ? n.intValue() : 0;
        Map<String, Object> checkDef = obj(def, "Check");
        if (checkDef != null && (str(checkDef, "HTTP") == null || goDuration(str(checkDef, "Interval")) == null)) {
            text(ex, 400, "Invalid check: the stand-in implements HTTP checks with an Interval only");
            return;
        }
        Check check = null;
        synchronized (lock) {
            long idx = ++raftIndex;
            Service previous = services.get(id);
            if (checkDef != null) {
                String http = str(checkDef, "HTTP");
                Duration interval = goDuration(str(checkDef, "Interval"));
                Duration timeout = goDuration(str(checkDef, "Timeout"));
                Duration deregister = goDuration(str(checkDef, "DeregisterCriticalServiceAfter"));
                String checkId = str(checkDef, "CheckID");
                String status = str(checkDef, "Status");
                if (status == null || status.isEmpty()) {
                    // Re-registering keeps a known check's state; a new check starts critical.
                    status = previous != null && previous.check != null ? previous.check.status : "critical";
                }
                String method = str(checkDef, "Method");
                check = new Check(checkId == null || checkId.isEmpty() ? "service:" + id : checkId,
                        str(checkDef, "Name") == null ? "Service '" + name + "' check" : str(checkDef, "Name"),
                        http, method == null || method.isEmpty() ? "GET" : method, interval,
                        timeout == null ? Duration.ofSeconds(10) : timeout, deregister, status, idx);
            }
            if (previous != null && previous.check != null && previous.check.run != null) {
                previous.check.run.cancel(false);
            }
            Service s = new Service(id, name, strings(def, "Tags"), strOr(def, "Address", ""), port,
                    stringMap(def, "Meta"), Boolean.TRUE.equals(field(def, "EnableTagOverride")),
                    previous != null ? previous.createIndex : idx);
            s.modifyIndex = idx;
            s.check = check;
            services.put(id, s);
            changed(name, idx);
            if (check != null) {
                Check c = check;
                long stagger = ThreadLocalRandom.current().nextLong(Math.max(1, c.interval.toMillis()));
                c.run = checks.scheduleWithFixedDelay(() -> runCheck(s, c), stagger, c.interval.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
        text(ex, 200, "");
    }

    private void deregister(HttpExchange ex, String id) throws IOException {
        synchronized (lock) {
            Service s = services.remove(id);
            if (s == null) {
                text(ex, 404, "Unknown service ID \"" + id + "\". Ensure that the service ID is passed, not the service name.");
                return;
            }
            if (s.check != null && s.check.run != null) {
                s.check.run.cancel(false);
            }
            changed(s.name, ++raftIndex);
        }
        text(ex, 200, "");
    }

    private void serviceConfig(HttpExchange ex, String id) throws IOException {
        Map<String, Object> out;
        synchronized (lock) {
            Service s = services.get(id);
            if (s == null) {
                text(ex, 404, "unknown service ID: " + id);
                return;
            }
            out = new LinkedHashMap<>();
            out.put("ID", s.id);
            out.put("Service", s.name);
            out.put("Tags", s.tags);
            out.put("Meta", s.meta);
            out.put("Port", s.port);
            out.put("Address", s.address);
            out.put("Weights", Map.of("Passing", 1, "Warning", 1));
            out.put("EnableTagOverride", s.enableTagOverride);
            out.put("Datacenter", options.datacenter);
            out.put("ContentHash", Integer.toHexString(out.hashCode()));
        }
        json(ex, 200, out, -1);
    }

    private void health(HttpExchange ex, String name, Map<String, String> query) throws IOException {
        String dc = query.get("dc");
        if (dc != null && !dc.isEmpty() && !dc.equals(options.datacenter)) {
            text(ex, 500, "No path to datacenter");
            return;
        }
        long minIndex = 0;
        if (query.containsKey("index")) {
            try {
                minIndex = Long.parseLong(query.get("index"));
            } catch (NumberFormatException e) {
                text(ex, 400, "Invalid index");
                return;
            }
        }
        Duration wait = DEFAULT_WAIT;
        if (query.containsKey("wait")) {
            wait = goDuration(query.get("wait"));
            if (wait == null) {
                text(ex, 400, "Invalid wait time");
                return;
            }
            if (wait.compareTo(MAX_WAIT) > 0) {
                wait = MAX_WAIT;
            }
        }
        boolean passing = query.containsKey("passing") && !"false".equals(query.get("passing"))
                && !"0".equals(query.get("passing"));
        List<Map<String, Object>> entries = new ArrayList<>();
        long index;
        synchronized (lock) {
            if (minIndex > 0) {
                long jitter = ThreadLocalRandom.current().nextLong(wait.toNanos() / 16 + 1);
                long deadline = System.nanoTime() + wait.toNanos() + jitter;
                while (!closed && indexOf(name) <= minIndex) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(lock, left);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
            }
            index = indexOf(name);
            for (Service s : services.values()) {
                if (!s.name.equals(name)) {
                    continue;
                }
                if (passing && s.check != null && !"passing".equals(s.check.status)) {
                    continue;
                }
                entries.add(entry(s, query.get("ns")));
            }
        }
        json(ex, 200, entries, index);
    }

    private Map<String, Object> entry(Service s, String ns) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("ID", nodeId);
        node.put("Node", "concierge-standin");
        node.put("Address", "127.0.0.1");
        node.put("Datacenter", options.datacenter);
        node.put("TaggedAddresses", Map.of("lan", "127.0.0.1", "wan", "127.0.0.1"));
        node.put("Meta", Map.of("consul-network-segment", ""));
        node.put("CreateIndex", 1);
        node.put("ModifyIndex", 1);
        Map<String, Object> service = new LinkedHashMap<>();
        service.put("ID", s.id);
        service.put("Service", s.name);
        service.put("Tags", s.tags);
        service.put("Address", s.address);
        service.put("Meta", s.meta);
        service.put("Port", s.port);
        service.put("Weights", Map.of("Passing", 1, "Warning", 1));
        service.put("EnableTagOverride", s.enableTagOverride);
        service.put("CreateIndex", s.createIndex);
        service.put("ModifyIndex", s.modifyIndex);
        if (ns != null) {
            service.put("Namespace", ns);
        }
        List<Map<String, Object>> checkList = new ArrayList<>();
        if (s.check != null) {
            Map<String, Object> c = check(s.check.id, s.check.name, s.check.status, s.check.output, s.id, s.name,
                    s.tags, "http", s.check.createIndex, s.check.modifyIndex, ns);
            checkList.add(c);
        }
        checkList.add(check("serfHealth", "Serf Health Status", "passing", "Agent alive and reachable", "", "",
                List.of(), "", 1, 1, ns));
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("Node", node);
        e.put("Service", service);
        e.put("Checks", checkList);
        return e;
    }

    private static Map<String, Object> check(String id, String name, String status, String output, String serviceId,
                                             String serviceName, List<String> tags, String type, long create,
                                             long modify, String ns) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Node", "concierge-standin");
        c.put("CheckID", id);
        c.put("Name", name);
        c.put("Status", status);
        c.put("Notes", "");
        c.put("Output", output);
        c.put("ServiceID", serviceId);
        c.put("ServiceName", serviceName);
        c.put("ServiceTags", tags);
        c.put("Type", type);
        c.put("CreateIndex", create);
        c.put("ModifyIndex", modify);
        if (ns != null) {
            c.put("Namespace", ns);
        }
        return c;
    }

    // --- checks and reaping ------------------------------------------------------------------------

    private void runCheck(Service s, Check c) {
        String status;
        String output;
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(c.url)).timeout(c.timeout)
                    .method(c.method, HttpRequest.BodyPublishers.noBody())
                    .header("User-Agent", "Consul Health Check").build();
            HttpResponse<String> r = checkClient.send(req, HttpResponse.BodyHandlers.ofString());
            int code = r.statusCode();
            String body = r.body() == null ? "" : r.body();
            if (body.length() > 4096) {
                body = body.substring(0, 4096);
            }
            status = code >= 200 && code <= 299 ? "passing" : code == 429 ? "warning" : "critical";
            output = "HTTP " + c.method + " " + c.url + ": " + code + " Output: " + body;
        } catch (IOException e) {
            status = "critical";
            output = "Get \"" + c.url + "\": " + e;
        } catch (InterruptedException e) {
            return;
        }
        synchronized (lock) {
            if (services.get(s.id) != s || s.check != c) {
                return;
            }
            c.output = output;
            if (!status.equals(c.status)) {
                c.status = status;
                c.criticalSinceNanos = "critical".equals(status) ? System.nanoTime() : 0;
                long idx = ++raftIndex;
                c.modifyIndex = idx;
                changed(s.name, idx);
            }
        }
    }

    private void reap() {
        synchronized (lock) {
            List<Service> doomed = new ArrayList<>();
            for (Service s : services.values()) {
                Check c = s.check;
                if (c == null || c.deregisterAfter == null || !"critical".equals(c.status)) {
                    continue;
                }
                Duration after = c.deregisterAfter.compareTo(options.deregisterFloor) < 0
                        ? options.deregisterFloor : c.deregisterAfter;
                if (System.nanoTime() - c.criticalSinceNanos >= after.toNanos()) {
                    doomed.add(s);
                }
            }
            for (Service s : doomed) {
                services.remove(s.id);
                if (s.check.run != null) {
                    s.check.run.cancel(false);
                }
                changed(s.name, ++raftIndex);
            }
        }
    }

    /** Caller holds the lock. */
    private void changed(String name, long idx) {
        nameIndex.put(name, idx);
        lock.notifyAll();
    }

    /** Caller holds the lock. A name never seen answers 1, which the docs call always safe to wait on. */
    private long indexOf(String name) {
        return nameIndex.getOrDefault(name, 1L);
    }

    // --- small helpers ---------------------------------------------------------------------------------

    private static void text(HttpExchange ex, int status, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    private static void json(HttpExchange ex, int status, Object value, long index) throws IOException {
        byte[] b = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (index >= 0) {
            ex.getResponseHeaders().set("X-Consul-Index", String.valueOf(index));
            ex.getResponseHeaders().set("X-Consul-KnownLeader", "true");
            ex.getResponseHeaders().set("X-Consul-LastContact", "0");
        }
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private static String token(HttpExchange ex, Map<String, String> query) {
        String t = ex.getRequestHeaders().getFirst("X-Consul-Token");
        if (t == null) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                t = auth.substring(7).trim();
            }
        }
        return t != null ? t : query.get("token");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            q.put(decode(eq < 0 ? part : part.substring(0, eq)), eq < 0 ? "" : decode(part.substring(eq + 1)));
        }
        return q;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Go's time.ParseDuration subset Consul accepts in Interval, Timeout, wait: "10s", "1m30s", "250ms". */
    static Duration goDuration(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        Matcher m = GO_DURATION.matcher(text);
        int at = 0;
        long nanos = 0;
        while (m.find() && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            nanos += switch (m.group(2)) {
                case "ns" -> n;
                case "us", "µs" -> n * 1_000;
                case "ms" -> n * 1_000_000;
                case "s" -> n * 1_000_000_000;
                case "m" -> n * 60_000_000_000L;
                default -> n * 3_600_000_000_000L;
            };
            at = m.end();
        }
        return at == text.length() && at > 0 ? Duration.ofNanos(nanos) : null;
    }

    /** Consul decodes JSON keys case-insensitively (Go's encoding/json). */
    private static Object field(Map<String, Object> m, String key) {
        if (m.containsKey(key)) {
            return m.get(key);
        }
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).replace("_", "").equals(key.toLowerCase(Locale.ROOT))) {
                return e.getValue();
            }
        }
        return null;
    }

    private static String str(Map<String, Object> m, String key) {
        Object v = field(m, key);
        return v == null ? null : String.valueOf(v);
    }

    private static String strOr(Map<String, Object> m, String key, String otherwise) {
        String v = str(m, key);
        return v == null ? otherwise : v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Map<String, Object> m, String key) {
        Object v = field(m, key);
        return v instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
    }

    private static List<String> strings(Map<String, Object> m, String key) {
        Object v = field(m, key);
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> list) {
            list.forEach(x -> out.add(String.valueOf(x)));
        }
        return List.copyOf(out);
    }

    private static Map<String, String> stringMap(Map<String, Object> m, String key) {
        Object v = field(m, key);
        Map<String, String> out = new LinkedHashMap<>();
        if (v instanceof Map<?, ?> map) {
            map.forEach((k, x) -> out.put(String.valueOf(k), String.valueOf(x)));
        }
        return out;
    }
}
