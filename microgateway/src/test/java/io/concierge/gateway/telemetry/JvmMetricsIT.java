package io.concierge.gateway.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.concierge.gateway.server.GatewayServer;
import io.concierge.gateway.testing.PrometheusScrape;
import io.concierge.gateway.testing.Resources;
import io.concierge.gateway.testing.TestGateways;
import io.concierge.gateway.testing.WireClient;
import io.concierge.gateway.testing.WireResponse;
import io.concierge.gateway.testing.WireUpstream;

/**
 * A gateway's {@code /metrics} carries the JVM's and the process's metrics with Prometheus' names
 * (memory pools, GC pauses, threads, file descriptors, CPU, start time), and the whole page stays
 * valid text: every family declared once, every sample after its TYPE (the strict
 * {@link PrometheusScrape}), families not interleaved, no name shared with ours.
 */
class JvmMetricsIT {
    private final Resources resources = new Resources();

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    @Test
    void jvmAndProcessFamiliesBesideOursInValidText() throws Exception {
        WireUpstream upstream = resources.track(WireUpstream.start(WireUpstream.echo()));
        GatewayServer g = resources.track(TestGateways.startOneRoute(upstream.port()));
        assertEquals(200, WireClient.exchange(g.port(), "GET", "/api/x").status());
        System.gc(); // so the GC pause summary has a collection to count
        WireResponse r = WireClient.exchange(g.adminPort(), "GET", "/metrics");
        assertEquals(200, r.status());
        String text = r.bodyText();
        PrometheusScrape m = new PrometheusScrape(text);

        for (String family : List.of("jvm_memory_used_bytes", "jvm_memory_pool_used_bytes", "jvm_threads_current",
                "jvm_threads_state", "jvm_classes_currently_loaded", "process_open_fds", "process_max_fds",
                "process_resident_memory_bytes", "process_start_time_seconds")) {
            assertEquals("gauge", m.type(family), family + "\n" + text);
            assertFalse(m.samples(family).isEmpty(), family);
        }
        assertEquals("counter", m.type("process_cpu_seconds_total"));
        assertEquals("summary", m.type("jvm_gc_collection_seconds"));
        assertTrue(m.samples("jvm_gc_collection_seconds_count").stream().mapToDouble(PrometheusScrape.Sample::value)
                .sum() >= 1, "a GC pause counted");
        assertTrue(m.value("jvm_memory_used_bytes", "area", "heap") > 0, "heap in use");
        assertTrue(m.value("process_open_fds") > 0, "open file descriptors");
        assertEquals("counter", m.type("concierge_http_server_requests_total"), "our own families are still there");

        // Each family's lines form one group: a name seen again after another family began is interleaved.
        Set<String> closed = new HashSet<>();
        String current = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String family = line.split(" ")[2];
                assertTrue(closed.add(family), "family declared twice or interleaved: " + family);
                current = family;
            } else if (!line.startsWith("#") && !line.isEmpty()) {
                assertTrue(line.startsWith(current), "sample outside its family's group: " + line);
            }
        }
    }
}
