package io.concierge.gateway.grpc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;

import io.concierge.gateway.config.ConfigException;

/**
 * A route's gRPC method with its HTTP mapping resolved against the descriptors once, at load: every
 * configured field exists and has a type an HTTP value can fill. Unknown services, methods and
 * fields are load errors naming the file and YAML path.
 *
 * @param pathFields   route path parameter → field
 * @param queryFields  explicitly mapped query parameter → field
 * @param byName       every top-level scalar field by .proto and JSON name, for unlisted query parameters
 * @param bodyField    the message field the body fills, or null with {@code bodyWhole} or no body
 * @param bodyWhole    the JSON body is the whole request message ({@code body: "*"})
 */
public record MethodBinding(MethodDescriptor method, Map<String, FieldPath> pathFields,
                            Map<String, FieldPath> queryFields, Map<String, FieldPath> byName,
                            FieldDescriptor bodyField, boolean bodyWhole) {

    /**
     * Without an explicit mapping ({@code path-params}, {@code query}, {@code body}) a method's
     * {@code google.api.http} option maps path parameters and body ({@link HttpRuleMapping}); query
     * parameters fill fields by name either way.
     *
     * @param routePath    the route's {@code match.path}
     * @param routeMethods the route's {@code match.methods} (empty: any)
     * @param pathParams   the names of the route's {@code {name}} segments, in order
     * @param yamlPath     the route's {@code grpc} section, e.g. {@code routes[2].grpc}
     */
    public static MethodBinding compile(GrpcRouteConfig config, DescriptorSet descriptors, String routePath,
                                        Set<String> routeMethods, List<String> pathParams, String file,
                                        String yamlPath) {
        ServiceDescriptor service = descriptors.service(config.serviceName());
        if (service == null) {
            throw new ConfigException(file, yamlPath + ".method", "unknown gRPC service '" + config.serviceName()
                    + "' (the descriptor set has: " + String.join(", ", descriptors.serviceNames()) + ")");
        }
        MethodDescriptor method = service.findMethodByName(config.methodName());
        if (method == null) {
            throw new ConfigException(file, yamlPath + ".method", "unknown method '" + config.methodName()
                    + "' of " + service.getFullName() + " (methods: "
                    + service.getMethods().stream().map(MethodDescriptor::getName).toList() + ")");
        }
        if (method.isClientStreaming()) {
            throw new ConfigException(file, yamlPath + ".method", "client-streaming methods cannot be transcoded ("
                    + config.method() + ")");
        }
        HttpRuleMapping rule = HttpRuleMapping.of(method);
        boolean explicit = !config.pathParams().isEmpty() || !config.query().isEmpty() || config.body() != null;
        if (rule != null && !explicit) {
            config = fromRule(config, rule, routePath, routeMethods, pathParams, file, yamlPath);
        }
        Descriptor input = method.getInputType();
        Map<String, FieldPath> pathFields = new HashMap<>();
        for (String p : config.pathParams().keySet()) {
            if (!pathParams.contains(p)) {
                throw new ConfigException(file, yamlPath + ".path-params." + p, "the route's path has no {" + p
                        + "} (it has " + pathParams + ")");
            }
        }
        for (String p : pathParams) {
            String field = config.pathParams().getOrDefault(p, p);
            String where = config.pathParams().containsKey(p) ? yamlPath + ".path-params." + p : yamlPath;
            pathFields.put(p, resolve(input, field, file, where, "path parameter {" + p + "}"));
        }
        Map<String, FieldPath> queryFields = new HashMap<>();
        config.query().forEach((param, field) -> queryFields.put(param,
                resolve(input, field, file, yamlPath + ".query." + param, "query parameter '" + param + "'")));
        Map<String, FieldPath> byName = new HashMap<>();
        for (FieldDescriptor f : input.getFields()) {
            if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                FieldPath fp = new FieldPath(f.getName(), List.of(f));
                byName.put(f.getName(), fp);
                byName.put(f.getJsonName(), fp);
            }
        }
        FieldDescriptor bodyField = null;
        boolean whole = false;
        String body = config.body();
        if ("*".equals(body)) {
            whole = true;
        } else if (body != null) {
            bodyField = FieldPath.field(input, body);
            if (bodyField == null || bodyField.isRepeated() || bodyField.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                throw new ConfigException(file, yamlPath + ".body", "'" + body + "' is not a message field of "
                        + input.getFullName() + " (use \"*\" for the whole request message)");
            }
        }
        return new MethodBinding(method, Map.copyOf(pathFields), Map.copyOf(queryFields), Map.copyOf(byName),
                bodyField, whole);
    }

    /** The route's mapping as the method's google.api.http option gives it. */
    private static GrpcRouteConfig fromRule(GrpcRouteConfig config, HttpRuleMapping rule, String routePath,
                                            Set<String> routeMethods, List<String> pathParams, String file,
                                            String yamlPath) {
        if (!routeMethods.isEmpty() && !routeMethods.contains(rule.verb())) {
            throw new ConfigException(file, yamlPath + ".method", "the method's google.api.http verb is "
                    + rule.verb() + " but the route matches " + routeMethods);
        }
        List<String> variables;
        try {
            variables = rule.variablesFor(routePath);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file, yamlPath + ".method", e.getMessage());
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < pathParams.size(); i++) {
            params.put(pathParams.get(i), variables.get(i));
        }
        return new GrpcRouteConfig(config.method(), Map.copyOf(params), config.query(),
                rule.body().isEmpty() ? null : rule.body(), config.ignoreUnknownQuery(), config.requestMetadata(),
                config.responseMetadata(), config.json(), config.stream(), config.retryable());
    }

    private static FieldPath resolve(Descriptor input, String field, String file, String yamlPath, String what) {
        try {
            return FieldPath.resolve(input, field);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file, yamlPath, what + ": " + e.getMessage());
        }
    }

    /** The full gRPC method name, {@code package.Service/Method}. */
    public String fullName() {
        return method.getService().getFullName() + "/" + method.getName();
    }

    public boolean serverStreaming() {
        return method.isServerStreaming();
    }
}
