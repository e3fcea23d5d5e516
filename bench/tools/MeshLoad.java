/*
 * MeshLoad: the load generator of the reliability runs (bench/soak.sh, bench/chaos.sh; docs/reliability.md).
 * One file, JDK only, started as a single-file source program:
 *
 *   "$JAVA_HOME/bin/java" bench/tools/MeshLoad.java --base http://127.0.0.1:8080 --mix steady --rate 200 ...
 *
 * Options (the contract both scripts rely on):
 *   --base URL           edge base URL (http only), default http://127.0.0.1:8080
 *   --mix steady|soak    steady: idempotent GETs only, one class per domain; soak: the realistic mix (below)
 *   --rate R             requests per second, open loop: request k is due at start + k/R and is timed from
 *                        that intended start even when it cannot start on time (no coordinated omission);
 *                        0 = as fast as possible, closed loop with --concurrency workers
 *   --concurrency C      max requests in flight (default 64)
 *   --duration S         seconds (default 60); SIGTERM/SIGINT ends early and still writes every output
 *   --sources N          client source addresses 127.0.1.1, 127.0.1.2, ... 127.0.1.254, 127.0.2.1, ... (all of
 *                        127/8 is loopback on Linux), so the edge's per-IP limit sees N clients; default 1000.
 *                        Requests take the sources in turn (round robin), so each sees exactly R/N per second.
 *   --timeline FILE      CSV, one line per second per class (and class "all"), by intended start second:
 *                        epoch_s,class,sent,s2xx,s3xx,s4xx,s429,s5xx,errors,p50_ms,p99_ms,max_ms
 *                        (s4xx excludes 429; errors = socket errors/timeouts, no status). Written as it goes,
 *                        timeout + 3 s behind the clock. Under overload a request due in a second can end after
 *                        that second was written (it waited for a free slot, then ran up to its timeout); it is
 *                        then written in a further line for the same second and class: readers add up the
 *                        lines of one second (bench/chaos.sh does). Minutes, windows and totals include it.
 *   --summary FILE       JSON totals per class and overall, with p50/p90/p99/max in ms
 *   --minutes FILE       CSV of latency by minute and by 5-minute window (this tool's addition):
 *                        kind,start_epoch_s,end_epoch_s,class,count,p50_ms,p99_ms,max_ms
 *                        kind "minute": each minute since the start (minute m = [s+60m, s+60m+60), s = the start's
 *                        whole epoch second; by the intended start of each request);
 *                        kind "window5": every 5 consecutive minutes merged (exact merge of the histograms,
 *                        not an average of percentiles), one window starting at each minute.
 *   --timeout-ms T       per-request timeout (default 5000), counted as an error
 *
 * Latency histograms are log-linear (HdrHistogram-like): exact below 128 us, above that 64 sub-buckets per
 * power of two, so a reported percentile is within 1 % of the true value (the bucket's middle is reported).
 *
 * Classes. steady: products (GET /api/products, /api/products/{id}), product-details (GET
 * /api/product-details/{id}), inventory (GET /api/products/{id}/inventory: the products domain's uncached
 * route, so a dead product service shows as failures there while the cache and the composition's partial
 * answers keep the other two products classes up), users (GET /api/users/{id}, the user's own token), orders (GET
 * /api/orders?userId=own, with token). Payments has no GET that needs no prior state: skipped.
 * soak (weights in %): catalog 40 (product list, product, reviews, API version 2), product-details 20,
 * mobile-home 10 (a quarter with a token), users 5, orders 12 (own list, ?limit=10), order-create 3 (POST
 * /api/orders, one item), dashboard 7, login 3 (a fifth of them with a wrong password: 401) and, apart from the
 * rate, login-limited: 4 dedicated "attacker" addresses 127.3.0.1-4 each sending a wrong password every 2 s
 * (30 a minute, past the users gateways' 10 a minute per IP; far below the edge's 100): 429 is expected there
 * and only there. In the summary, "unexpected_429" counts 429s of every other class.
 * Tokens: each demo user (alice, bob, admin / <name>-pw) logs in at start, and every 20 minutes, from its own
 * address 127.2.0.1-3 (outside the sources). The tool prints one summary line and exits 0: judging is the
 * scripts' job.
 */

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

public class MeshLoad {

    // --- options -------------------------------------------------------------------------------------

    static String host = "127.0.0.1";
    static int port = 8080;
    static String mix = "steady";
    static double rate = 0;
    static int concurrency = 64;
    static int durationS = 60;
    static int sources = 1000;
    static String timelineFile;
    static String summaryFile;
    static String minutesFile;
    static int timeoutMs = 5000;

    static final String[] USERS = {"alice", "bob", "admin"};
    static final String[] USER_IDS = {"1", "2", "3"};
    static final String[] PRODUCTS = {"p1", "p2", "p3", "p4", "p5"};
    static final int ATTACKERS = 4;
    static final double ATTACK_PER_SECOND = 0.5; // per attacker address
    static final long TOKEN_REFRESH_MS = 20 * 60_000L;

    static final AtomicReferenceArray<String> tokens = new AtomicReferenceArray<>(USERS.length);
    static volatile boolean stopping;
    static long startMs;

    public static void main(String[] args) throws Exception {
        parse(args);
        if (rate > 0 && sources < rate) {
            System.err.printf(Locale.ROOT, "MeshLoad: WARNING: %d sources at %.0f req/s is %.0f req/min per source;"
                    + " keep it at or below 60 (--sources >= %d) to stay clear of the edge's 100/min per IP%n",
                    sources, rate, rate * 60 / sources, (int) Math.ceil(rate));
        }
        CountDownLatch written = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            main.interrupt();
            try {
                written.await(timeoutMs + 10_000L, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }));
        Stats stats = new Stats();
        try {
            for (int u = 0; u < USERS.length; u++) {
                login(u);
            }
            startMs = System.currentTimeMillis();
            stats.open(startMs);
            run(stats);
        } finally {
            stats.finish();
            written.countDown();
        }
    }

    static void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("missing value for " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--base" -> {
                    URI uri = URI.create(v);
                    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                        usage("--base must be http://host:port");
                    }
                    host = uri.getHost();
                    port = uri.getPort() < 0 ? 80 : uri.getPort();
                }
                case "--mix" -> {
                    if (!v.equals("steady") && !v.equals("soak")) {
                        usage("--mix is steady or soak");
                    }
                    mix = v;
                }
                case "--rate" -> rate = Double.parseDouble(v);
                case "--concurrency" -> concurrency = Integer.parseInt(v);
                case "--duration" -> durationS = Integer.parseInt(v);
                case "--sources" -> sources = Integer.parseInt(v);
                case "--timeline" -> timelineFile = v;
                case "--summary" -> summaryFile = v;
                case "--minutes" -> minutesFile = v;
                case "--timeout-ms" -> timeoutMs = Integer.parseInt(v);
                default -> usage("unknown option " + a);
            }
        }
        if (rate < 0 || concurrency < 1 || durationS < 1 || sources < 1 || sources > 65_000 || timeoutMs < 1) {
            usage("--rate >= 0, --concurrency, --duration, --timeout-ms >= 1, 1 <= --sources <= 65000");
        }
    }

    static void usage(String message) {
        System.err.println("MeshLoad: " + message + " (see the header of bench/tools/MeshLoad.java)");
        System.exit(2);
    }

    // --- the mixes -----------------------------------------------------------------------------------

    /** One request to make: its class, method, path, token (or null) and body (or null). */
    record Req(String cls, String method, String path, String token, String body) {
    }

    static final String[] STEADY = {"products", "product-details", "inventory", "users", "orders"};
    static final String[] SOAK = {"catalog", "product-details", "mobile-home", "users", "orders", "order-create",
        "dashboard", "login", "login-limited"};
    static final int[] SOAK_WEIGHTS = {40, 20, 10, 5, 12, 3, 7, 3}; // sum 100; login-limited runs apart from the rate

    static String[] classes() {
        return mix.equals("steady") ? STEADY : SOAK;
    }

    static Req next(long k) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String p = PRODUCTS[r.nextInt(PRODUCTS.length)];
        int u = r.nextInt(USERS.length);
        if (mix.equals("steady")) {
            return switch ((int) (k % 5)) {
                case 0 -> new Req("products", "GET", r.nextBoolean() ? "/api/products" : "/api/products/" + p, null, null);
                case 1 -> new Req("product-details", "GET", "/api/product-details/" + p, null, null);
                case 2 -> new Req("inventory", "GET", "/api/products/" + p + "/inventory", null, null);
                case 3 -> new Req("users", "GET", "/api/users/" + USER_IDS[u], tokens.get(u), null);
                default -> new Req("orders", "GET", "/api/orders?userId=" + USER_IDS[u], tokens.get(u), null);
            };
        }
        int pick = r.nextInt(100);
        int c = 0;
        while (pick >= SOAK_WEIGHTS[c]) {
            pick -= SOAK_WEIGHTS[c];
            c++;
        }
        int customer = r.nextInt(2); // alice or bob: admin creates no orders
        return switch (SOAK[c]) {
            case "catalog" -> new Req("catalog", "GET", switch (r.nextInt(4)) {
                case 0 -> "/api/products";
                case 1 -> "/api/products/" + p;
                case 2 -> "/api/products/" + p + "/reviews";
                default -> "/api/v2/products/" + p;
            }, null, null);
            case "product-details" -> new Req("product-details", "GET", "/api/product-details/" + p, null, null);
            case "mobile-home" -> new Req("mobile-home", "GET", "/api/mobile/home",
                    r.nextInt(4) == 0 ? tokens.get(u) : null, null);
            case "users" -> new Req("users", "GET", "/api/users/" + USER_IDS[u], tokens.get(u), null);
            case "orders" -> new Req("orders", "GET", "/api/orders?userId=" + USER_IDS[u] + "&limit=10",
                    tokens.get(u), null);
            case "order-create" -> new Req("order-create", "POST", "/api/orders", tokens.get(customer),
                    "{\"userId\":\"" + USER_IDS[customer] + "\",\"items\":[{\"productId\":\"" + p
                            + "\",\"quantity\":" + (1 + r.nextInt(3)) + "}]}");
            case "dashboard" -> new Req("dashboard", "GET", "/api/dashboard", tokens.get(u), null);
            default -> new Req("login", "POST", "/api/auth/login", null, loginBody(u, r.nextInt(5) != 0));
        };
    }

    static String loginBody(int u, boolean right) {
        return "{\"username\":\"" + USERS[u] + "\",\"password\":\"" + USERS[u] + (right ? "-pw" : "-wrong") + "\"}";
    }

    // --- source addresses ----------------------------------------------------------------------------

    static InetAddress address(int a, int b, int c) {
        try {
            return InetAddress.getByAddress(new byte[] {127, (byte) a, (byte) b, (byte) c});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Source i (0-based): 127.0.1.1 ... 127.0.1.254, 127.0.2.1, ... */
    static InetAddress source(int i) {
        int third = 1 + i / 254;
        return address(third / 256, third % 256, 1 + i % 254);
    }

    static final Map<InetAddress, Pool> pools = new ConcurrentHashMap<>();

    static Pool pool(InetAddress a) {
        return pools.computeIfAbsent(a, Pool::new);
    }

    // --- running -------------------------------------------------------------------------------------

    static void run(Stats stats) throws InterruptedException {
        long endMs = startMs + durationS * 1000L;
        ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor();
        Pool[] ordinary = new Pool[sources];
        for (int i = 0; i < sources; i++) {
            ordinary[i] = pool(source(i));
        }
        if (mix.equals("soak")) {
            for (int a = 0; a < ATTACKERS; a++) {
                Pool attacker = pool(address(3, 0, 1 + a));
                long phase = (long) (a * 1000 / ATTACK_PER_SECOND / ATTACKERS);
                exec.submit(() -> {
                    long period = (long) (1000 / ATTACK_PER_SECOND);
                    for (long k = 0; !stopping; k++) {
                        long due = startMs + phase + k * period;
                        if (due >= endMs || !sleepUntil(due)) {
                            return;
                        }
                        int u = ThreadLocalRandom.current().nextInt(USERS.length);
                        execute(stats, attacker, new Req("login-limited", "POST", "/api/auth/login", null,
                                loginBody(u, false)), due);
                    }
                });
            }
        }
        exec.submit(() -> {
            while (!stopping && sleepUntil(Math.min(endMs, System.currentTimeMillis() + TOKEN_REFRESH_MS))) {
                if (System.currentTimeMillis() >= endMs) {
                    return;
                }
                for (int u = 0; u < USERS.length; u++) {
                    login(u);
                }
            }
        });
        Thread flusher = Thread.ofPlatform().daemon().start(() -> {
            while (!stopping) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                stats.flush(System.currentTimeMillis() / 1000 - timeoutMs / 1000 - 3);
            }
        });
        AtomicLong counter = new AtomicLong();
        try {
            if (rate > 0) {
                Semaphore inFlight = new Semaphore(concurrency);
                double intervalMs = 1000.0 / rate;
                for (long k = 0; !stopping; k++) {
                    long due = startMs + (long) (k * intervalMs);
                    if (due >= endMs || !sleepUntil(due)) {
                        break;
                    }
                    inFlight.acquire(); // late when saturated: still timed from `due`
                    Req req = next(k);
                    Pool pool = ordinary[(int) (k % sources)];
                    exec.submit(() -> {
                        try {
                            execute(stats, pool, req, due);
                        } finally {
                            inFlight.release();
                        }
                    });
                }
            } else {
                CountDownLatch workers = new CountDownLatch(concurrency);
                for (int w = 0; w < concurrency; w++) {
                    exec.submit(() -> {
                        try {
                            while (!stopping && System.currentTimeMillis() < endMs) {
                                long k = counter.getAndIncrement();
                                execute(stats, ordinary[(int) (k % sources)], next(k), System.currentTimeMillis());
                            }
                        } finally {
                            workers.countDown();
                        }
                    });
                }
                while (!stopping && System.currentTimeMillis() < endMs) {
                    sleepUntil(Math.min(endMs, System.currentTimeMillis() + 200));
                }
                stopping = true;
                workers.await(timeoutMs + 2000L, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            // SIGTERM/SIGINT: write what we have
        } finally {
            stopping = true;
            exec.shutdown();
            // Every request started has a timeout: wait for them, so the last seconds are complete.
            boolean interrupted = Thread.interrupted();
            try {
                exec.awaitTermination(timeoutMs + 2000L, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            exec.shutdownNow();
            flusher.interrupt();
            for (Pool p : pools.values()) {
                p.closeAll();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Sleeps until the epoch millisecond {@code due}; false when stopping. */
    static boolean sleepUntil(long due) {
        long wait;
        while (!stopping && (wait = due - System.currentTimeMillis()) > 0) {
            try {
                Thread.sleep(Math.min(wait, 500));
            } catch (InterruptedException e) {
                return false;
            }
        }
        return !stopping;
    }

    static void execute(Stats stats, Pool pool, Req req, long dueMs) {
        long dueNanos = System.nanoTime() - (System.currentTimeMillis() - dueMs) * 1_000_000L;
        int status;
        try {
            status = pool.send(req, false).status;
        } catch (IOException | RuntimeException e) {
            status = -1;
        }
        long micros = Math.max(0, (System.nanoTime() - dueNanos) / 1000);
        if (micros > timeoutMs * 1000L) {
            status = -1; // slower than the timeout: an error, whatever came back
        }
        stats.record(req.cls, dueMs / 1000, status, micros);
    }

    static final byte[] TOKEN_KEY = "\"token\":\"".getBytes(StandardCharsets.US_ASCII);

    /** Logs user u in from its own address 127.2.0.(u+1); keeps the old token when it fails. */
    static void login(int u) {
        Pool pool = pool(address(2, 0, 1 + u));
        for (int attempt = 0; attempt < 3 && !stopping; attempt++) {
            try {
                Resp resp = pool.send(new Req("login", "POST", "/api/auth/login", null, loginBody(u, true)), true);
                String body = new String(resp.body, StandardCharsets.UTF_8);
                int at = body.indexOf("\"token\":\"");
                if (resp.status == 200 && at >= 0) {
                    int from = at + TOKEN_KEY.length;
                    tokens.set(u, body.substring(from, body.indexOf('"', from)));
                    return;
                }
                System.err.println("MeshLoad: login of " + USERS[u] + " answered " + resp.status);
            } catch (IOException e) {
                System.err.println("MeshLoad: login of " + USERS[u] + " failed: " + e);
            }
            sleepUntil(System.currentTimeMillis() + 1000);
        }
    }

    // --- HTTP/1.1 over plain sockets -----------------------------------------------------------------

    record Resp(int status, byte[] body) {
    }

    /** Keep-alive connections from one source address. */
    static final class Pool {
        final InetAddress source;
        final ConcurrentLinkedDeque<Conn> idle = new ConcurrentLinkedDeque<>();

        Pool(InetAddress source) {
            this.source = source;
        }

        Resp send(Req req, boolean keepBody) throws IOException {
            Conn conn = idle.pollFirst();
            boolean reused = conn != null;
            if (conn == null) {
                conn = new Conn(source);
            }
            try {
                Resp resp = conn.exchange(req, keepBody);
                if (conn.reusable && !stopping) {
                    idle.addFirst(conn);
                } else {
                    conn.close();
                }
                return resp;
            } catch (StaleConnection e) {
                conn.close();
                if (!reused) {
                    throw e;
                }
                // The server closed an idle connection before our request reached it: nothing was
                // processed, so a fresh connection is what any HTTP client does.
                Conn fresh = new Conn(source);
                try {
                    Resp resp = fresh.exchange(req, keepBody);
                    if (fresh.reusable && !stopping) {
                        idle.addFirst(fresh);
                    } else {
                        fresh.close();
                    }
                    return resp;
                } catch (IOException | RuntimeException e2) {
                    fresh.close();
                    throw e2;
                }
            } catch (IOException | RuntimeException e) {
                conn.close();
                throw e;
            }
        }

        void closeAll() {
            Conn c;
            while ((c = idle.pollFirst()) != null) {
                c.close();
            }
        }
    }

    static final class StaleConnection extends IOException {
        private static final long serialVersionUID = 1L;

        StaleConnection(String message) {
            super(message);
        }
    }

    static final class Conn {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        boolean reusable;

        Conn(InetAddress source) throws IOException {
            socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.bind(new InetSocketAddress(source, 0));
                socket.connect(new InetSocketAddress(host, port), Math.min(timeoutMs, 3000));
                socket.setSoTimeout(timeoutMs);
                in = new BufferedInputStream(socket.getInputStream(), 8192);
                out = socket.getOutputStream();
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }

        Resp exchange(Req req, boolean keepBody) throws IOException {
            StringBuilder head = new StringBuilder(256).append(req.method).append(' ').append(req.path)
                    .append(" HTTP/1.1\r\nHost: ").append(host).append(':').append(port)
                    .append("\r\nUser-Agent: MeshLoad\r\nAccept: application/json\r\n");
            if (req.token != null) {
                head.append("Authorization: Bearer ").append(req.token).append("\r\n");
            }
            byte[] body = req.body == null ? null : req.body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = body == null ? headBytes : Arrays.copyOf(headBytes, headBytes.length + body.length);
            if (body != null) {
                System.arraycopy(body, 0, all, headBytes.length, body.length);
            }
            try {
                out.write(all);
                out.flush();
            } catch (IOException e) {
                throw new StaleConnection("write failed: " + e.getMessage());
            }
            int first;
            try {
                first = in.read();
            } catch (java.net.SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                throw new StaleConnection("read failed: " + e.getMessage()); // reset before any answer
            }
            if (first < 0) {
                throw new StaleConnection("closed before the status line");
            }
            String statusLine = (char) first + line();
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
                throw new IOException("bad status line: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = statusLine.startsWith("HTTP/1.0");
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("bad header line: " + h);
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> {
                        String v = value.toLowerCase(Locale.ROOT);
                        if (v.contains("close")) {
                            close = true;
                        } else if (v.contains("keep-alive")) {
                            close = false;
                        }
                    }
                    default -> {
                        // not needed
                    }
                }
            }
            ByteArrayOutputStream kept = keepBody ? new ByteArrayOutputStream() : null;
            boolean noBody = req.method.equals("HEAD") || status == 204 || status == 304 || status / 100 == 1;
            if (noBody) {
                // nothing to read
            } else if (chunked) {
                for (long size = chunkSize(); size > 0; size = chunkSize()) {
                    copy(size, kept);
                    if (!line().isEmpty()) {
                        throw new IOException("bad chunk end");
                    }
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length >= 0) {
                copy(length, kept);
            } else {
                copy(Long.MAX_VALUE, kept); // read to the end: the connection closes
                close = true;
            }
            reusable = !close;
            return new Resp(status, kept == null ? new byte[0] : kept.toByteArray());
        }

        long chunkSize() throws IOException {
            String l = line();
            int semi = l.indexOf(';');
            return Long.parseLong((semi >= 0 ? l.substring(0, semi) : l).trim(), 16);
        }

        final byte[] buf = new byte[8192];

        /** Reads n body bytes (Long.MAX_VALUE: up to the end of the stream), keeping them when asked. */
        void copy(long n, ByteArrayOutputStream kept) throws IOException {
            boolean toEnd = n == Long.MAX_VALUE;
            while (toEnd || n > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, n));
                if (r < 0) {
                    if (toEnd) {
                        return;
                    }
                    throw new EOFException("body cut short");
                }
                if (kept != null) {
                    kept.write(buf, 0, r);
                }
                if (!toEnd) {
                    n -= r;
                }
            }
        }

        /** One CRLF-terminated line without its end; EOF is an error. */
        String line() throws IOException {
            StringBuilder sb = new StringBuilder(64);
            for (;;) {
                int c = in.read();
                if (c < 0) {
                    throw new EOFException("connection closed mid-response");
                }
                if (c == '\n') {
                    int len = sb.length();
                    if (len > 0 && sb.charAt(len - 1) == '\r') {
                        sb.setLength(len - 1);
                    }
                    return sb.toString();
                }
                if (sb.length() > 16_384) {
                    throw new IOException("line too long");
                }
                sb.append((char) c);
            }
        }
    }

    // --- statistics ----------------------------------------------------------------------------------

    /** Log-linear latency histogram in microseconds: within 1 % (see the header). */
    static final class Histogram {
        static final int SIZE = 64 * 40; // up to 2^39 us, far beyond any timeout
        final long[] counts = new long[SIZE];
        long total;
        long max;

        static int index(long v) {
            if (v < 128) {
                return (int) v;
            }
            int shift = 63 - Long.numberOfLeadingZeros(v) - 6;
            return Math.min(SIZE - 1, shift * 64 + (int) (v >>> shift));
        }

        static long value(int idx) { // the middle of the bucket
            if (idx < 128) {
                return idx;
            }
            int shift = idx / 64 - 1;
            long low = (long) (idx % 64 + 64) << shift;
            return low + (1L << shift) / 2;
        }

        void add(long micros) {
            counts[index(micros)]++;
            total++;
            max = Math.max(max, micros);
        }

        void merge(Histogram o) {
            for (int i = 0; i < SIZE; i++) {
                counts[i] += o.counts[i];
            }
            total += o.total;
            max = Math.max(max, o.max);
        }

        /** The q-quantile (0..1) in microseconds; 0 when empty. */
        long quantile(double q) {
            if (total == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(q * total));
            long seen = 0;
            for (int i = 0; i < SIZE; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return Math.min(value(i), max);
                }
            }
            return max;
        }
    }

    /** Counts and latencies of one class in one period. */
    static final class Cell {
        long sent, s2xx, s3xx, s4xx, s429, s5xx, errors;
        final Histogram hist = new Histogram();

        void add(int status, long micros) {
            sent++;
            if (status < 0) {
                errors++;
                return; // an error has no meaningful latency
            } else if (status == 429) {
                s429++;
            } else if (status >= 500) {
                s5xx++;
            } else if (status >= 400) {
                s4xx++;
            } else if (status >= 300) {
                s3xx++;
            } else {
                s2xx++;
            }
            hist.add(micros);
        }

        void merge(Cell o) {
            sent += o.sent;
            s2xx += o.s2xx;
            s3xx += o.s3xx;
            s4xx += o.s4xx;
            s429 += o.s429;
            s5xx += o.s5xx;
            errors += o.errors;
            hist.merge(o.hist);
        }
    }

    static String ms(long micros) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    static final class Stats {
        /** Per second (epoch s), per class: open cells, flushed to the timeline once final. */
        final TreeMap<Long, Map<String, Cell>> seconds = new TreeMap<>();
        /** Per minute index since the start, per class. */
        final TreeMap<Long, Map<String, Cell>> minutes = new TreeMap<>();
        final Map<String, Cell> totals = new LinkedHashMap<>();
        PrintWriter timeline;

        void open(long startMs) throws IOException {
            if (timelineFile != null) {
                timeline = new PrintWriter(Files.newBufferedWriter(Path.of(timelineFile)));
                timeline.println("epoch_s,class,sent,s2xx,s3xx,s4xx,s429,s5xx,errors,p50_ms,p99_ms,max_ms");
                timeline.flush();
            }
            for (String c : classes()) {
                totals.put(c, new Cell());
            }
        }

        synchronized void record(String cls, long second, int status, long micros) {
            seconds.computeIfAbsent(second, s -> new LinkedHashMap<>()).computeIfAbsent(cls, c -> new Cell())
                    .add(status, micros);
        }

        /** Moves every second up to {@code upTo} (inclusive) into the timeline, minutes and totals. */
        void flush(long upTo) {
            List<Map.Entry<Long, Map<String, Cell>>> done = new ArrayList<>();
            synchronized (this) {
                while (!seconds.isEmpty() && seconds.firstKey() <= upTo) {
                    done.add(seconds.pollFirstEntry());
                }
            }
            synchronized (flushLock) { // the flusher thread and finish() both flush
                for (Map.Entry<Long, Map<String, Cell>> e : done) {
                    flushSecond(e);
                }
                if (timeline != null) {
                    timeline.flush();
                }
            }
        }

        final Object flushLock = new Object();

        void flushSecond(Map.Entry<Long, Map<String, Cell>> e) {
            {
                long second = e.getKey();
                // Minutes count from the start's whole second, as writeMinutes() labels them.
                long minute = Math.floorDiv(second - startMs / 1000, 60L);
                Cell all = new Cell();
                Map<String, Cell> perMinute = minutes.computeIfAbsent(minute, m -> new LinkedHashMap<>());
                for (String cls : classes()) {
                    Cell cell = e.getValue().get(cls);
                    if (cell == null) {
                        continue;
                    }
                    all.merge(cell);
                    totals.get(cls).merge(cell);
                    perMinute.computeIfAbsent(cls, c -> new Cell()).merge(cell);
                    writeLine(second, cls, cell);
                }
                perMinute.computeIfAbsent("all", c -> new Cell()).merge(all);
                writeLine(second, "all", all);
            }
        }

        void writeLine(long second, String cls, Cell c) {
            if (timeline != null) {
                timeline.println(second + "," + cls + "," + c.sent + "," + c.s2xx + "," + c.s3xx + "," + c.s4xx
                        + "," + c.s429 + "," + c.s5xx + "," + c.errors + "," + ms(c.hist.quantile(0.5)) + ","
                        + ms(c.hist.quantile(0.99)) + "," + ms(c.hist.max));
            }
        }

        void finish() throws IOException {
            flush(Long.MAX_VALUE);
            if (timeline != null) {
                timeline.close();
            }
            Cell all = new Cell();
            totals.values().forEach(all::merge);
            if (minutesFile != null) {
                writeMinutes();
            }
            long unexpected429 = totals.entrySet().stream().filter(e -> !e.getKey().equals("login-limited"))
                    .mapToLong(e -> e.getValue().s429).sum();
            double elapsed = Math.max(0.001, (System.currentTimeMillis() - startMs) / 1000.0);
            if (summaryFile != null) {
                StringBuilder json = new StringBuilder("{\n");
                json.append("  \"mix\": \"").append(mix).append("\", \"rate\": ").append(rate)
                        .append(", \"sources\": ").append(sources).append(", \"duration_s\": ")
                        .append(String.format(Locale.ROOT, "%.1f", elapsed)).append(", \"start_epoch_s\": ")
                        .append(startMs / 1000).append(",\n  \"unexpected_429\": ").append(unexpected429)
                        .append(",\n  \"classes\": {\n");
                int i = 0;
                for (Map.Entry<String, Cell> e : totals.entrySet()) {
                    json.append("    \"").append(e.getKey()).append("\": ").append(cellJson(e.getValue(), elapsed))
                            .append(++i < totals.size() ? ",\n" : "\n");
                }
                json.append("  },\n  \"all\": ").append(cellJson(all, elapsed)).append("\n}\n");
                Files.writeString(Path.of(summaryFile), json);
            }
            System.out.printf(Locale.ROOT, "MeshLoad %s: %d requests in %.1f s (%.1f/s, 2xx %.1f/s): 2xx %d, 3xx %d, "
                    + "4xx %d, 429 %d (unexpected %d), 5xx %d, errors %d; p50 %s ms, p99 %s ms, max %s ms%n", mix,
                    all.sent, elapsed, all.sent / elapsed, all.s2xx / elapsed, all.s2xx, all.s3xx, all.s4xx, all.s429,
                    unexpected429, all.s5xx, all.errors, ms(all.hist.quantile(0.5)), ms(all.hist.quantile(0.99)),
                    ms(all.hist.max));
        }

        static String cellJson(Cell c, double elapsed) {
            return String.format(Locale.ROOT, "{\"sent\": %d, \"rate\": %.2f, \"rate_2xx\": %.2f, \"s2xx\": %d, "
                    + "\"s3xx\": %d, \"s4xx\": %d, \"s429\": %d, \"s5xx\": %d, \"errors\": %d, \"p50_ms\": %s, "
                    + "\"p90_ms\": %s, \"p99_ms\": %s, \"max_ms\": %s}", c.sent, c.sent / elapsed, c.s2xx / elapsed,
                    c.s2xx, c.s3xx, c.s4xx, c.s429, c.s5xx, c.errors, ms(c.hist.quantile(0.5)),
                    ms(c.hist.quantile(0.9)), ms(c.hist.quantile(0.99)), ms(c.hist.max));
        }

        void writeMinutes() throws IOException {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(minutesFile)))) {
                w.println("kind,start_epoch_s,end_epoch_s,class,count,p50_ms,p99_ms,max_ms");
                List<String> names = new ArrayList<>(List.of(classes()));
                names.add("all");
                long startS = startMs / 1000;
                for (Map.Entry<Long, Map<String, Cell>> m : minutes.entrySet()) {
                    long from = startS + 60 * m.getKey();
                    for (String cls : names) {
                        Cell c = m.getValue().get(cls);
                        if (c != null) {
                            w.println(row("minute", from, from + 60, cls, c.hist));
                        }
                    }
                }
                if (minutes.isEmpty()) {
                    return;
                }
                long first = minutes.firstKey();
                long last = minutes.lastKey();
                for (long m = first; m + 4 <= last; m++) {
                    for (String cls : names) {
                        Histogram h = new Histogram();
                        for (long k = m; k < m + 5; k++) {
                            Map<String, Cell> cells = minutes.get(k);
                            Cell c = cells == null ? null : cells.get(cls);
                            if (c != null) {
                                h.merge(c.hist);
                            }
                        }
                        if (h.total > 0) {
                            w.println(row("window5", startS + 60 * m, startS + 60 * (m + 5), cls, h));
                        }
                    }
                }
            }
        }

        static String row(String kind, long from, long to, String cls, Histogram h) {
            return kind + "," + from + "," + to + "," + cls + "," + h.total + "," + ms(h.quantile(0.5)) + ","
                    + ms(h.quantile(0.99)) + "," + ms(h.max);
        }
    }
}
