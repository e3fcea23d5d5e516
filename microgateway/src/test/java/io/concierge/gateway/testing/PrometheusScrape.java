package io.concierge.gateway.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format for tests: every sample line must belong to a
 * family declared by exactly one {@code # TYPE} line before it, with a {@code # HELP} line.
 */
public final class PrometheusScrape {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> types = new HashMap<>();

    public PrometheusScrape(String text) {
        Map<String, Boolean> help = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String name = line.substring(7).split(" ", 2)[0];
                if (help.put(name, true) != null) {
                    throw new IllegalArgumentException("second HELP for " + name);
                }
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ");
                if (types.put(p[0], p[1]) != null) {
                    throw new IllegalArgumentException("second TYPE for " + p[0]);
                }
                if (!help.containsKey(p[0])) {
                    throw new IllegalArgumentException("TYPE without HELP for " + p[0]);
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a sample line: " + line);
            }
            String name = m.group(1);
            String family = family(name);
            if (family == null) {
                throw new IllegalArgumentException("sample before its TYPE: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                int end = 0;
                while (l.find()) {
                    if (l.start() != end) {
                        throw new IllegalArgumentException("bad labels: " + line);
                    }
                    labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\n", "\n")
                            .replace("\\\\", "\\"));
                    end = l.end();
                }
                if (end != m.group(2).length()) {
                    throw new IllegalArgumentException("bad labels: " + line);
                }
            }
            samples.add(new Sample(name, labels, Double.parseDouble(m.group(3).replace("+Inf", "Infinity"))));
        }
    }

    private String family(String sample) {
        if (types.containsKey(sample)) {
            return sample;
        }
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (sample.endsWith(suffix)) {
                String f = sample.substring(0, sample.length() - suffix.length());
                // A summary (the JVM's GC pauses) has _sum and _count too, never _bucket.
                if ("histogram".equals(types.get(f)) || "summary".equals(types.get(f)) && !suffix.equals("_bucket")) {
                    return f;
                }
            }
        }
        return null;
    }

    public String type(String family) {
        return types.get(family);
    }

    public List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The value of the one sample of {@code name} whose labels include {@code labels}; 0 when none. */
    public double value(String name, String... labels) {
        double total = 0;
        int found = 0;
        for (Sample s : samples(name)) {
            boolean match = true;
            for (int i = 0; i + 1 < labels.length; i += 2) {
                match &= labels[i + 1].equals(s.labels().get(labels[i]));
            }
            if (match) {
                total += s.value();
                found++;
            }
        }
        return found == 0 ? 0 : total;
    }

    public List<Sample> all() {
        return List.copyOf(samples);
    }
}
