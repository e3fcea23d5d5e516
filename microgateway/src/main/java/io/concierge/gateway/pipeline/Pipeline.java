package io.concierge.gateway.pipeline;

import java.util.List;

/** The filters of one route (or of the edge), in the order they run. */
public final class Pipeline {
    public static final Pipeline EMPTY = new Pipeline(List.of());

    private final Filter[] filters;

    public Pipeline(List<Filter> filters) {
        this.filters = filters.toArray(new Filter[0]);
    }

    /** @return true when every filter passed the request on */
    public boolean run(Exchange exchange) {
        for (Filter f : filters) {
            if (!f.apply(exchange)) {
                return false;
            }
        }
        return true;
    }

    public int size() {
        return filters.length;
    }
}
