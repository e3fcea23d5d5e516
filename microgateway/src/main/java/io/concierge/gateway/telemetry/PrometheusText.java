package io.concierge.gateway.telemetry;

import java.util.HashSet;
import java.util.Set;

/**
 * Writes the Prometheus text exposition format 0.0.4: one HELP and TYPE line per family, then its
 * samples. A family is written once even if several sources contribute to it.
 */
public final class PrometheusText {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(8192);
    private final Set<String> declared = new HashSet<>();

    /** Declares a family ({@code counter}, {@code gauge}, {@code histogram}) unless already declared. */
    public PrometheusText family(String name, String type, String help) {
        if (declared.add(name)) {
            out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                    .append('\n');
            out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        }
        return this;
    }

    /**
     * One sample.
     *
     * @param labels alternating label names and values
     */
    public PrometheusText sample(String name, double value, String... labels) {
        out.append(name);
        appendLabels(labels, null, null);
        out.append(' ').append(format(value)).append('\n');
        return this;
    }

    /** The _bucket, _sum and _count lines of one histogram series. */
    void histogram(String name, Histogram h, String... labels) {
        long[] c = h.cumulative();
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
        return out.toString();
    }
}
