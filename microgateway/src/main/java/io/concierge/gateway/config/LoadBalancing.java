package io.concierge.gateway.config;

/** How a request picks one of several instances. */
public enum LoadBalancing {
    /** Each instance in turn. The default. */
    ROUND_ROBIN("round-robin"),
    /** Power of two choices: of two random instances, the one with fewer requests in flight. */
    LEAST_IN_FLIGHT("least-in-flight"),
    /** Smooth weighted round-robin by each instance's {@code weight}. */
    WEIGHTED("weighted");

    private final String yamlName;

    LoadBalancing(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }

    public static LoadBalancing parse(String text) {
        for (LoadBalancing lb : values()) {
            if (lb.yamlName.equals(text)) {
                return lb;
            }
        }
        return null;
    }

    public static final String ALLOWED = "round-robin, least-in-flight, weighted";
}
