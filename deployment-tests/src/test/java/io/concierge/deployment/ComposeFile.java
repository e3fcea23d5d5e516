package io.concierge.deployment;

import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.Yaml;

/** compose/docker-compose.yaml, parsed with SnakeYAML (it resolves the file's anchors and merge keys). */
final class ComposeFile {
    private final Map<String, Object> root;

    private ComposeFile(Map<String, Object> root) {
        this.root = root;
    }

    static ComposeFile read() {
        return new ComposeFile(new Yaml().load(Checkout.read("compose/docker-compose.yaml")));
    }

    Map<String, Object> services() {
        return map(root.get("services"), "services");
    }

    Map<String, Object> service(String name) {
        return map(services().get(name), "services." + name);
    }

    Map<String, Object> volumes() {
        Object v = root.get("volumes");
        return v == null ? Map.of() : map(v, "volumes");
    }

    /** A service's environment as strings (compose's map form; the file uses no list form). */
    Map<String, String> environment(String service) {
        Object env = service(service).get("environment");
        if (env == null) {
            return Map.of();
        }
        Map<String, Object> m = map(env, "services." + service + ".environment");
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value, String where) {
        if (!(value instanceof Map<?, ?>)) {
            throw new AssertionError("docker-compose.yaml: " + where + " is not a mapping: " + value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value, String where) {
        if (!(value instanceof List<?>)) {
            throw new AssertionError("docker-compose.yaml: " + where + " is not a list: " + value);
        }
        return (List<Object>) value;
    }
}
