package io.concierge.consul;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The four calls of Consul's HTTP API that Concierge makes, on the JDK's HTTP client:
 * <ul>
 *   <li>{@code PUT /v1/agent/service/register} and {@code PUT /v1/agent/service/deregister/:id}
 *       (https://developer.hashicorp.com/consul/api-docs/agent/service),</li>
 *   <li>{@code GET /v1/agent/service/:id}, to notice an agent that lost our registration,</li>
 *   <li>{@code GET /v1/health/service/:service?passing} as a blocking query
 *       (https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-service,
 *       https://developer.hashicorp.com/consul/api-docs/features/blocking).</li>
 * </ul>
 * Every call carries {@code X-Consul-Token} when a token is set, {@code dc} on reads and {@code ns}
 * when a namespace is set.
 */
final class ConsulClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Map<String, Object>>> ENTRIES = new TypeReference<>() { };

    /** One answer of the health endpoint: its {@code X-Consul-Index} and entries. */
    record HealthAnswer(long index, List<Map<String, Object>> entries) {
    }

    /** Consul answered, but not with success. */
    static final class ConsulException extends IOException {
        final int status;

        ConsulException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final ConsulSettings settings;
    private final HttpClient http;

    ConsulClient(ConsulSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    void register(Map<String, Object> definition) throws IOException, InterruptedException {
        byte[] body = JSON.writeValueAsBytes(definition);
        HttpResponse<String> r = send(request("/v1/agent/service/register", query(false), settings.timeout())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json").build());
        expect200(r, "register");
    }

    void deregister(String serviceId) throws IOException, InterruptedException {
        HttpResponse<String> r = send(request("/v1/agent/service/deregister/" + segment(serviceId), query(false),
                settings.timeout()).PUT(HttpRequest.BodyPublishers.noBody()).build());
        // 404: the agent no longer knows it (reaped, or the agent restarted): nothing left to remove.
        if (r.statusCode() != 404) {
            expect200(r, "deregister");
        }
    }

    /** @return whether the local agent still has this service registered */
    boolean isRegistered(String serviceId) throws IOException, InterruptedException {
        HttpResponse<String> r = send(request("/v1/agent/service/" + segment(serviceId), query(false),
                settings.timeout()).GET().build());
        if (r.statusCode() == 404) {
            return false;
        }
        expect200(r, "service lookup");
        return true;
    }

    /**
     * A blocking query: returns when the service's index moves past {@code index} or after about
     * {@code wait} (Consul adds up to wait/16 of jitter); {@code index} 0 answers at once.
     */
    HealthAnswer passingInstances(long index, Duration wait) throws IOException, InterruptedException {
        StringJoiner q = query(true);
        q.add("passing=true");
        if (index > 0) {
            q.add("index=" + index);
            q.add("wait=" + wait.toMillis() + "ms");
        }
        Duration timeout = index > 0 ? wait.plus(wait.dividedBy(16)).plus(settings.timeout()) : settings.timeout();
        HttpResponse<String> r = send(request("/v1/health/service/" + segment(settings.serviceName()), q, timeout)
                .GET().build());
        expect200(r, "health query");
        // Every blocking endpoint answers with X-Consul-Index; without it the answer cannot be
        // placed in the sequence, so it counts as a failed query (the last set keeps serving).
        String header = r.headers().firstValue("X-Consul-Index").orElse(null);
        long newIndex;
        try {
            newIndex = Long.parseLong(header == null ? "" : header.trim());
        } catch (NumberFormatException e) {
            throw new ConsulException(r.statusCode(), "health query: no valid X-Consul-Index header");
        }
        List<Map<String, Object>> entries;
        try {
            entries = JSON.readValue(r.body(), ENTRIES);
        } catch (IOException e) {
            throw new ConsulException(r.statusCode(), "health query: body is not a JSON list of entries");
        }
        return new HealthAnswer(newIndex, entries == null ? List.of() : entries);
    }

    private StringJoiner query(boolean read) {
        StringJoiner q = new StringJoiner("&");
        if (read && settings.datacenter() != null) {
            q.add("dc=" + enc(settings.datacenter()));
        }
        if (settings.namespace() != null) {
            q.add("ns=" + enc(settings.namespace()));
        }
        return q;
    }

    private HttpRequest.Builder request(String path, StringJoiner query, Duration timeout) {
        String q = query.length() == 0 ? "" : "?" + query;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(settings.address() + path + q)).timeout(timeout);
        if (!settings.token().isEmpty()) {
            b.header("X-Consul-Token", settings.token());
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void expect200(HttpResponse<String> r, String what) throws ConsulException {
        if (r.statusCode() != 200) {
            String body = r.body() == null ? "" : r.body().strip();
            if (body.length() > 200) {
                body = body.substring(0, 200) + "...";
            }
            throw new ConsulException(r.statusCode(), what + ": HTTP " + r.statusCode() + (body.isEmpty() ? "" : " " + body));
        }
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        http.shutdownNow();
    }
}
