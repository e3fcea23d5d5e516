package io.concierge.gateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A strict view of one YAML mapping: every read knows its YAML path, every error names the file and
 * that path, and {@link #rejectUnknownKeys()} turns a typo into a startup error instead of a
 * silently ignored setting.
 */
public final class ConfigNode {
    private final String file;
    private final String path;
    private final JsonNode node;
    private final Set<String> read = new TreeSet<>();

    ConfigNode(String file, String path, JsonNode node) {
        this.file = file;
        this.path = path;
        this.node = node;
        if (node != null && !node.isObject()) {
            throw error("expected a mapping, got " + describe(node));
        }
    }

    public String file() {
        return file;
    }

    public String path() {
        return path;
    }

    public ConfigException error(String message) {
        return new ConfigException(file, path, message);
    }

    public ConfigException error(String key, String message) {
        return new ConfigException(file, child(key), message);
    }

    public boolean has(String key) {
        read.add(key);
        return node != null && node.has(key) && !node.get(key).isNull();
    }

    public String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private JsonNode raw(String key) {
        read.add(key);
        return node == null ? null : node.get(key);
    }

    public String string(String key, String defaultValue) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isValueNode()) {
            throw error(key, "expected a string, got " + describe(v));
        }
        return v.asText();
    }

    public String requiredString(String key) {
        String v = string(key, null);
        if (v == null || v.isBlank()) {
            throw error(key, "is required");
        }
        return v;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        int value;
        if (v.isIntegralNumber()) {
            value = v.asInt();
        } else if (v.isTextual() && v.asText().matches("-?\\d{1,9}")) {
            value = Integer.parseInt(v.asText());
        } else {
            throw error(key, "expected an integer, got " + describe(v));
        }
        if (value < min || value > max) {
            throw error(key, "must be between " + min + " and " + max + " (was " + value + ")");
        }
        return value;
    }

    public boolean bool(String key, boolean defaultValue) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) {
            return Boolean.parseBoolean(v.asText());
        }
        throw error(key, "expected true or false, got " + describe(v));
    }

    public Duration duration(String key, Duration defaultValue) {
        String text = string(key, null);
        if (text == null) {
            return defaultValue;
        }
        Duration d = Durations.parse(text);
        if (d == null) {
            throw error(key, "bad duration '" + text + "' (use a whole number with ms, s, m or h, e.g. 250ms or 5s)");
        }
        return d;
    }

    public <E extends Enum<E>> E choice(String key, E defaultValue, Function<String, E> parser, String allowed) {
        String text = string(key, null);
        if (text == null) {
            return defaultValue;
        }
        E e = parser.apply(text);
        if (e == null) {
            throw error(key, "unknown value '" + text + "' (allowed: " + allowed + ")");
        }
        return e;
    }

    /** The value as YAML gave it (any JSON type), or null when absent; for free-form values such as defaults. */
    public JsonNode value(String key) {
        JsonNode v = raw(key);
        return v == null ? null : v.deepCopy();
    }

    /** @return the child mapping; an absent key gives an empty node so defaults apply */
    public ConfigNode object(String key) {
        JsonNode v = raw(key);
        return new ConfigNode(file, child(key), v == null || v.isNull() ? null : v);
    }

    public List<ConfigNode> objectList(String key) {
        JsonNode v = raw(key);
        List<ConfigNode> result = new ArrayList<>();
        if (v == null || v.isNull()) {
            return result;
        }
        if (!v.isArray()) {
            throw error(key, "expected a list, got " + describe(v));
        }
        for (int i = 0; i < v.size(); i++) {
            result.add(new ConfigNode(file, child(key) + "[" + i + "]", v.get(i)));
        }
        return result;
    }

    public List<String> stringList(String key) {
        JsonNode v = raw(key);
        List<String> result = new ArrayList<>();
        if (v == null || v.isNull()) {
            return result;
        }
        if (v.isValueNode()) {
            // A single value is accepted where a list is expected: "methods: GET".
            result.add(v.asText());
            return result;
        }
        if (!v.isArray()) {
            throw error(key, "expected a list, got " + describe(v));
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (!item.isValueNode() || item.isNull()) {
                throw new ConfigException(file, child(key) + "[" + i + "]", "expected a string, got " + describe(item));
            }
            result.add(item.asText());
        }
        return result;
    }

    /** A mapping of names to sub-mappings, in file order (for example {@code services}). */
    public Map<String, ConfigNode> namedObjects(String key) {
        JsonNode v = raw(key);
        Map<String, ConfigNode> result = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return result;
        }
        if (!v.isObject()) {
            throw error(key, "expected a mapping, got " + describe(v));
        }
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            result.put(e.getKey(), new ConfigNode(file, child(key) + "." + e.getKey(), e.getValue()));
        }
        return result;
    }

    /** A mapping of names to plain string values (for example a header match). */
    public Map<String, String> stringMap(String key) {
        JsonNode v = raw(key);
        Map<String, String> result = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return result;
        }
        if (!v.isObject()) {
            throw error(key, "expected a mapping, got " + describe(v));
        }
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new ConfigException(file, child(key) + "." + e.getKey(), "expected a string, got " + describe(e.getValue()));
            }
            result.put(e.getKey(), e.getValue().asText());
        }
        return result;
    }

    /** Fails on the first key that no reader asked for: a misspelt key must not be ignored. */
    public void rejectUnknownKeys() {
        if (node == null) {
            return;
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!read.contains(name)) {
                throw new ConfigException(file, child(name), "unknown key (known keys here: " + String.join(", ", read) + ")");
            }
        }
    }

    private static String describe(JsonNode v) {
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isNull()) {
            return "nothing";
        }
        return "'" + v.asText() + "'";
    }
}
