package io.concierge.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads a YAML file into a tree and substitutes {@code ${NAME}} and {@code ${NAME:default}} from the
 * environment in scalar values, so one file serves every instance of a domain (ports differ per
 * instance, secrets come from the environment). Under {@code compositions}, a {@code ${name}} starting
 * with a lower-case letter, with no default and no such variable set, is left as written: it is a
 * composition expression.
 */
public final class YamlSource {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private YamlSource() {
    }

    public static ConfigNode read(Path file, Function<String, String> env) {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(name, "", "cannot read file: " + e.getMessage());
        }
        return parse(name, text, env);
    }

    public static ConfigNode parse(String name, String text, Function<String, String> env) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException(name, "", "not valid YAML" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(name, "", "file is empty");
        }
        return new ConfigNode(name, "", substitute(name, "", root, env));
    }

    private static JsonNode substitute(String file, String path, JsonNode node, Function<String, String> env) {
        if (node.isTextual()) {
            return TextNode.valueOf(interpolate(file, path, node.asText(), env));
        }
        if (node.isObject()) {
            ObjectNode obj = (ObjectNode) node;
            Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String childPath = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                e.setValue(substitute(file, childPath, e.getValue(), env));
            }
            return obj;
        }
        if (node.isArray()) {
            ArrayNode arr = (ArrayNode) node;
            for (int i = 0; i < arr.size(); i++) {
                arr.set(i, substitute(file, path + "[" + i + "]", arr.get(i), env));
            }
            return arr;
        }
        return node;
    }

    static String interpolate(String file, String path, String value, Function<String, String> env) {
        if (value.indexOf("${") < 0) {
            return value;
        }
        Matcher m = VARIABLE.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = env.apply(m.group(1));
            if (v == null || v.isEmpty()) {
                v = m.group(2);
            }
            if (v == null && m.group(2) == null && Character.isLowerCase(m.group(1).charAt(0))
                    && path.startsWith("compositions[")) {
                // ${each}, ${ids}: a composition expression (docs/composition.md), not a variable;
                // environment variables are upper-case by convention. Only there: anywhere else
                // a misspelt variable must still fail the load, not become a literal value.
                m.appendReplacement(sb, Matcher.quoteReplacement(m.group()));
                continue;
            }
            if (v == null) {
                throw new ConfigException(file, path, "environment variable " + m.group(1)
                        + " is not set and has no default (write ${" + m.group(1) + ":default})");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
