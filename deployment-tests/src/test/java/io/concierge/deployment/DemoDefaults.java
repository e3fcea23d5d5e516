package io.concierge.deployment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ports compose/demo.sh uses when nothing is overridden, read from the script itself so the
 * launcher stays the single source of truth for the demo's ports.
 */
record DemoDefaults(Map<String, Integer> ports, Map<String, List<Gateway>> gateways) {
    static final List<String> DOMAINS = List.of("users", "products", "orders", "payments");
    /** Domains with gateways but no demo service of their own (backends for frontends). */
    static final List<String> BFF_DOMAINS = List.of("mobile");
    /** Domain -> the variable of its demo service's port. */
    static final Map<String, String> SERVICE_PORT_VARIABLES = Map.of("users", "USER_SERVICE_PORT",
            "products", "PRODUCT_SERVICE_PORT", "orders", "ORDER_SERVICE_PORT", "payments", "PAYMENT_SERVICE_PORT");

    /** One gateway instance: its public and admin port. */
    record Gateway(int port, int adminPort) {
    }

    private static final Pattern EXPORTED = Pattern.compile("(?m)^export ([A-Z_]+)=\"\\$\\{\\1:-(\\d+)}\"$");
    private static final Pattern GATEWAYS = Pattern.compile("(?m)^([A-Z]+)_GATEWAYS=\"\\$\\{\\1_GATEWAYS:-([0-9: ]+)}\"$");

    static DemoDefaults read() {
        String script = Checkout.read("compose/demo.sh");
        Map<String, Integer> ports = new LinkedHashMap<>();
        Matcher m = EXPORTED.matcher(script);
        while (m.find()) {
            if (m.group(1).endsWith("_PORT")) {
                ports.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        Map<String, List<Gateway>> gateways = new LinkedHashMap<>();
        Matcher g = GATEWAYS.matcher(script);
        while (g.find()) {
            List<Gateway> list = new ArrayList<>();
            for (String spec : g.group(2).trim().split(" +")) {
                String[] parts = spec.split(":");
                list.add(new Gateway(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
            }
            gateways.put(g.group(1).toLowerCase(java.util.Locale.ROOT), List.copyOf(list));
        }
        return new DemoDefaults(Map.copyOf(ports), Map.copyOf(gateways));
    }

    int port(String variable) {
        Integer p = ports.get(variable);
        if (p == null) {
            throw new AssertionError("compose/demo.sh has no default for " + variable + " (found " + ports.keySet() + ")");
        }
        return p;
    }

    List<Gateway> gatewaysOf(String domain) {
        List<Gateway> list = gateways.get(domain);
        if (list == null) {
            throw new AssertionError("compose/demo.sh has no default " + domain.toUpperCase(java.util.Locale.ROOT)
                    + "_GATEWAYS (found " + gateways.keySet() + ")");
        }
        return list;
    }
}
