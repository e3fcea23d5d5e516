package io.concierge.gateway.telemetry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the Prometheus text exposition format 0.0.4: one HELP and TYPE line per family, then its
 * samples. Samples are kept with their family, so the lines of one family always form one group
 * (the format requires it) in whatever order sources write them, and a family is declared once even
 * if several sources contribute to it.
 */
public final class PrometheusText {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Map<String, StringBuilder> families = new LinkedHashMap<>();
    private StringBuilder out;

    /** Declares a family ({@code counter}, {@code gauge}, {@code histogram}) unless already declared. */
    public PrometheusText family(String name, String type, String help) {
        families.computeIfAbsent(name, n -> new StringBuilder(256)
                .append("# HELP ").append(n).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n')
                .append("# TYPE ").append(n).append(' ').append(type).append('\n'));
        return this;
    }

    /** The lines of {@code family}; one never declared still gets a group of its own. */
    private StringBuilder of(String family) {
        out = families.computeIfAbsent(family, n -> new StringBuilder(256));
        return out;
    }

    /**
     * One sample.
     *
     * @param labels alternating label names and values
     */
    public PrometheusText sample(String name, double value, String... labels) {
        of(name).append(name);
        appendLabels(labels, null, null);
        out.append(' ').append(format(value)).append('\n');
        return this;
    }

    /** The _bucket, _sum and _count lines of one histogram series. */
    void histogram(String name, Histogram h, String... labels) {
        long[] c = h.cumulative();
        of(name);
        for (int i = 0; i < c.length; i++) {
            out.append(name).append("_bucket");
            appendLabels(labels, "le", i < Histogram.BOUNDS_SECONDS.length
                    ? format(Histogram.BOUNDS_SECONDS[i]) : "+Inf");
            out.append(' ').append(c[i]).append('\n');
        }
        out.append(name).append("_sum");
        appendLabels(labels, null, null);
        out.append(' ').append(format(h.sumSeconds())).append('\n');
        out.append(name).append("_count");
        appendLabels(labels, null, null);
        out.append(' ').append(c[c.length - 1]).append('\n');
    }

    private void appendLabels(String[] labels, String extraName, String extraValue) {
        if (labels.length == 0 && extraName == null) {
            return;
        }
        out.append('{');
        boolean first = true;
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
        }
        if (extraName != null) {
            if (!first) {
                out.append(',');
            }
            out.append(extraName).append("=\"").append(extraValue).append('"');
        }
        out.append('}');
    }

    static String escape(String v) {
        if (v == null) {
            return "";
        }
        StringBuilder sb = null;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            String r = c == '\\' ? "\\\\" : c == '"' ? "\\\"" : c == '\n' ? "\\n" : null;
            if (r != null && sb == null) {
                sb = new StringBuilder(v.length() + 8).append(v, 0, i);
            }
            if (sb != null) {
                if (r != null) {
                    sb.append(r);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? v : sb.toString();
    }

    static String format(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
        }
        // Plain decimals ("0.0005", not "5.0E-4"): bucket bounds are label values and must read
        // the same in every scrape and query.
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        StringBuilder all = new StringBuilder(8192);
        families.values().forEach(all::append);
        return all.toString();
    }
}
