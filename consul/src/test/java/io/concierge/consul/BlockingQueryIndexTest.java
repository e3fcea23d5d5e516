package io.concierge.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.consul.testing.ConsulTestSettings;
import io.concierge.gateway.testing.Poll;

/**
 * The index rules of https://developer.hashicorp.com/consul/api-docs/features/blocking#implementation-details,
 * against a scripted agent that answers a fixed sequence of {@code X-Consul-Index} values: an index
 * that goes backwards resets the next query to index 0 (an immediate answer); an index that is not
 * above 0 otherwise is replaced by 1, so the loop blocks instead of spinning.
 */
class BlockingQueryIndexTest {
    private final List<String> indexesAsked = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private HttpServer server;
    private ConsulDiscovery discovery;

    @AfterEach
    void stop() {
        if (discovery != null) {
            discovery.close();
        }
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }

    @Test
    void backwardsResetsToZeroAndZeroBecomesOne() throws IOException {
        long[] script = {10, 5, 7, 0, 0};
        AtomicInteger next = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(threads);
        server.createContext("/v1/health/service/", ex -> {
            String q = ex.getRequestURI().getQuery();
            String index = "-";
            for (String p : q.split("&")) {
                if (p.startsWith("index=")) {
                    index = p.substring(6);
                }
            }
            indexesAsked.add(index);
            int n = next.getAndIncrement();
            if (n >= script.length) {
                try {
                    // Script over: block like an agent with nothing new, until the test ends.
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                n = script.length - 1;
            }
            byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("X-Consul-Index", String.valueOf(script[n]));
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        discovery = new ConsulDiscovery(ConsulTestSettings.settings("http://127.0.0.1:" + server.getAddress().getPort(), ""));
        discovery.watch(set -> { });
        Poll.until("six queries asked", Duration.ofSeconds(15), () -> indexesAsked.size() >= 6);
        // 10 -> 5 and 7 -> 0 go backwards: reset, the next query asks without an index. The 0 that
        // answers that query is not backwards but not above 0 either: the watch blocks on 1.
        assertEquals(List.of("-", "10", "-", "7", "-", "1"), List.copyOf(indexesAsked).subList(0, 6));
        assertEquals(2, discovery.stats().indexResets());
        assertEquals(0, discovery.stats().watchErrors());
    }
}
