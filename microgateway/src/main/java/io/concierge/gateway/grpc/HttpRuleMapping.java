package io.concierge.gateway.grpc;

import java.util.ArrayList;
import java.util.List;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.Descriptors.MethodDescriptor;

/**
 * A method's {@code google.api.http} option, as far as a route uses it: the rule's path template
 * must be the route's path, segment by segment, with its variables where the route has its
 * {@code {name}} segments; each variable names the (possibly nested, dotted) field the route's
 * parameter at that position fills, and the rule's {@code body} says what the JSON body is. The
 * route still matches on its own {@code match} (one place decides routing); the rule only maps.
 * Multi-segment variables ({@code {name=shelves/*}}), {@code **} and additional bindings are not
 * supported and are load errors when a route relies on them.
 *
 * @param verb      GET, PUT, POST, DELETE, PATCH or the custom kind
 * @param segments  the template's segments; a variable as its field path in braces
 * @param body      the rule's body: empty for none, {@code *} or a field name
 */
record HttpRuleMapping(String verb, List<String> segments, String body) {

    /** The method's rule, or null when it has none. */
    static HttpRuleMapping of(MethodDescriptor method) {
        if (!method.getOptions().hasExtension(AnnotationsProto.http)) {
            return null;
        }
        HttpRule rule = method.getOptions().getExtension(AnnotationsProto.http);
        String verb;
        String template;
        switch (rule.getPatternCase()) {
            case GET -> { verb = "GET"; template = rule.getGet(); }
            case PUT -> { verb = "PUT"; template = rule.getPut(); }
            case POST -> { verb = "POST"; template = rule.getPost(); }
            case DELETE -> { verb = "DELETE"; template = rule.getDelete(); }
            case PATCH -> { verb = "PATCH"; template = rule.getPatch(); }
            case CUSTOM -> { verb = rule.getCustom().getKind(); template = rule.getCustom().getPath(); }
            default -> { return null; }
        }
        List<String> segments = new ArrayList<>();
        for (String s : template.split("/")) {
            if (!s.isEmpty()) {
                segments.add(s);
            }
        }
        return new HttpRuleMapping(verb, List.copyOf(segments), rule.getBody());
    }

    /**
     * The field path of the template's variable at the route's {@code {name}} segment, position by
     * position.
     *
     * @param routePath the route's {@code match.path}
     * @throws IllegalArgumentException when the template and the route's path differ, or the template
     *                                  uses what is not supported
     */
    List<String> variablesFor(String routePath) {
        List<String> route = new ArrayList<>();
        for (String s : routePath.split("/")) {
            if (!s.isEmpty()) {
                route.add(s);
            }
        }
        String template = "/" + String.join("/", segments);
        if (route.size() != segments.size()) {
            throw new IllegalArgumentException("the route's path " + routePath + " is not the method's google.api.http path "
                    + template);
        }
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < route.size(); i++) {
            String r = route.get(i);
            String t = segments.get(i);
            boolean routeVariable = r.startsWith("{");
            boolean templateVariable = t.startsWith("{") && t.endsWith("}");
            if (templateVariable && t.contains("=")) {
                throw new IllegalArgumentException("google.api.http path " + template
                        + ": multi-segment variables are not supported; map the route explicitly");
            }
            if (routeVariable != templateVariable || (!routeVariable && !r.equals(t))) {
                throw new IllegalArgumentException("the route's path " + routePath
                        + " is not the method's google.api.http path " + template);
            }
            if (templateVariable) {
                fields.add(t.substring(1, t.length() - 1));
            }
        }
        return fields;
    }
}
