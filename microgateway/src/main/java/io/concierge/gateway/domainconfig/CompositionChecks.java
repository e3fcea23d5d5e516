package io.concierge.gateway.domainconfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.concierge.gateway.composition.CompositionConfig;
import io.concierge.gateway.composition.LocalGateway;
import io.concierge.gateway.composition.PathTemplate;
import io.concierge.gateway.config.ConfigNode;
import io.concierge.gateway.rewrite.InvalidPathException;
import io.concierge.gateway.rewrite.RawPath;
import io.concierge.gateway.routing.PathPattern;
import io.concierge.gateway.routing.RouteTable;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;

/**
 * The checks of compositions against the routes and services of the same file: the route table is
 * built here, once, from the routes as the gateway will build it, and asked the questions the
 * gateway's router will answer at request time.
 */
final class CompositionChecks implements LocalGateway {
    /** A load-time lookup is a request without headers: a route that needs one is never picked. */
    private static final Headers NO_HEADERS = WritableHeaders.create();

    private final Set<String> serviceNames;
    private final Set<String> routeIds;
    private final List<RouteTable.Entry<RouteConfig>> routeEntries = new ArrayList<>();
    private final RouteTable<RouteConfig> routeTable;

    CompositionChecks(Map<String, ServiceConfig> services, List<RouteConfig> routes) {
        this.serviceNames = Collections.unmodifiableSet(services.keySet());
        Set<String> ids = new LinkedHashSet<>();
        for (RouteConfig r : routes) {
            ids.add(r.id());
            routeEntries.add(entry(r, routeEntries.size()));
        }
        this.routeIds = Collections.unmodifiableSet(ids);
        this.routeTable = new RouteTable<>(routeEntries);
    }

    @Override
    public Set<String> serviceNames() {
        return serviceNames;
    }

    @Override
    public Set<String> routeIds() {
        return routeIds;
    }

    /**
     * A local call goes through this gateway's own routes, so it is authorized as that route would
     * authorize the caller. There must be such a route, and it must lead to the service named, or
     * the call would be answered by something other than what the file says.
     */
    @Override
    public void checkLocalCall(ConfigNode node, String service, PathTemplate path) {
        List<String> segments;
        try {
            segments = segments(path.sample("x"));
        } catch (InvalidPathException e) {
            throw node.error("path", "'" + path + "' is not a path this gateway accepts: " + e.getMessage());
        }
        if (!(routeTable.match("GET", segments, NO_HEADERS) instanceof RouteTable.Match<RouteConfig> m)) {
            throw node.error("path", "no GET route of this gateway matches '" + path + "'; a local call goes"
                    + " through the route that would serve it");
        }
        RouteConfig best = m.route();
        if (!best.service().equals(service)) {
            throw node.error("service", "'" + path + "' is served by route '" + best.id() + "' of service '"
                    + best.service() + "', not '" + service + "'");
        }
    }

    /**
     * The route that the gateway's route table would pick before the composition for its paths
     * fails the file: the same table, with the composition after every route, asked the same question.
     */
    @Override
    public void checkNotShadowed(ConfigNode node, CompositionConfig c, PathPattern composition) {
        List<RouteTable.Entry<RouteConfig>> entries = new ArrayList<>(routeEntries);
        RouteConfig self = RouteConfig.forComposition(c);
        entries.add(entry(self, entries.size()));
        StringBuilder sample = new StringBuilder();
        for (String part : composition.text().substring(1).split("/", -1)) {
            sample.append('/').append(part.startsWith("{") || part.equals("**") ? "x" : part);
        }
        RouteTable.Result<RouteConfig> picked = new RouteTable<>(entries).match("GET", segments(sample.toString()),
                NO_HEADERS);
        if (picked instanceof RouteTable.Match<RouteConfig> m && m.route() != self) {
            RouteConfig shadow = m.route();
            throw node.error("match.path", "route '" + shadow.id() + "' (" + shadow.path() + ") matches '" + c.path()
                    + "' at least as specifically and would answer it first");
        }
    }

    private static RouteTable.Entry<RouteConfig> entry(RouteConfig r, int order) {
        return new RouteTable.Entry<>(PathPattern.compile(r.path()), r.methods(), r.headers(), order, r);
    }

    /** A sample path's segments, as this gateway's router sees a request's path. */
    private static List<String> segments(String samplePath) {
        return RawPath.parse(samplePath, false).segments();
    }
}
