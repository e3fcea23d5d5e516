package io.concierge.gateway.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.api.AnnotationsProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.ExtensionRegistry;

/**
 * The services of a {@code FileDescriptorSet} file ({@code protoc --include_imports --descriptor_set_out}),
 * linked once at load. The gateway works on dynamic messages from these descriptors: no generated
 * code, no per-method Java.
 */
public final class DescriptorSet {
    /** The method option the gateway reads: {@code google.api.http} ({@link HttpRuleMapping}). */
    private static final ExtensionRegistry OPTIONS = ExtensionRegistry.newInstance();

    static {
        OPTIONS.add(AnnotationsProto.http);
    }

    private final Map<String, Descriptors.ServiceDescriptor> services;

    private DescriptorSet(Map<String, Descriptors.ServiceDescriptor> services) {
        this.services = services;
    }

    /**
     * Reads and links the set; files the set does not include are taken from protobuf's own
     * well-known types (google/protobuf/*.proto) so a set made without {@code --include_imports}
     * still links when it needs nothing else.
     *
     * @throws IllegalArgumentException with a message for the operator when unreadable or unlinkable
     */
    public static DescriptorSet read(Path file) {
        FileDescriptorSet set;
        try (InputStream in = Files.newInputStream(file)) {
            set = FileDescriptorSet.parseFrom(in, OPTIONS);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read descriptor set " + file + ": " + e.getMessage());
        }
        Map<String, FileDescriptorProto> protos = new HashMap<>();
        for (FileDescriptorProto p : set.getFileList()) {
            protos.put(p.getName(), p);
        }
        Map<String, FileDescriptor> linked = new HashMap<>();
        Map<String, Descriptors.ServiceDescriptor> services = new LinkedHashMap<>();
        for (FileDescriptorProto p : set.getFileList()) {
            FileDescriptor fd = link(p.getName(), protos, linked, file);
            for (Descriptors.ServiceDescriptor s : fd.getServices()) {
                services.put(s.getFullName(), s);
            }
        }
        return new DescriptorSet(Map.copyOf(services));
    }

    private static FileDescriptor link(String name, Map<String, FileDescriptorProto> protos,
                                       Map<String, FileDescriptor> linked, Path file) {
        FileDescriptor done = linked.get(name);
        if (done != null) {
            return done;
        }
        FileDescriptorProto proto = protos.get(name);
        if (proto == null) {
            FileDescriptor wellKnown = WellKnownTypes.file(name);
            if (wellKnown == null) {
                throw new IllegalArgumentException("descriptor set " + file + " lacks '" + name
                        + "' (make it with protoc --include_imports)");
            }
            linked.put(name, wellKnown);
            return wellKnown;
        }
        FileDescriptor[] deps = new FileDescriptor[proto.getDependencyCount()];
        for (int i = 0; i < deps.length; i++) {
            deps[i] = link(proto.getDependency(i), protos, linked, file);
        }
        try {
            FileDescriptor fd = FileDescriptor.buildFrom(proto, deps);
            linked.put(name, fd);
            return fd;
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalArgumentException("descriptor set " + file + ": '" + name + "' does not link: "
                    + e.getMessage());
        }
    }

    /** The service of this full name ({@code package.Service}), or null. */
    public Descriptors.ServiceDescriptor service(String fullName) {
        return services.get(fullName);
    }

    /** Full names of every service in the set, for error messages. */
    public java.util.Set<String> serviceNames() {
        return services.keySet();
    }
}
