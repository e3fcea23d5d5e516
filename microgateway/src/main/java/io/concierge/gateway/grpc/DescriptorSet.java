package io.concierge.gateway.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.api.AnnotationsProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;

/**
 * The services of a {@code FileDescriptorSet} file ({@code protoc --include_imports --descriptor_set_out})
 * or of the files a service sent through server reflection, linked once at load. The gateway works on dynamic messages from these descriptors: no generated
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
        return link(set.getFileList(), "descriptor set " + file, "make it with protoc --include_imports");
    }

    /**
     * Links files a service sent through server reflection ({@link ReflectionDescriptors}), each a
     * serialised {@code FileDescriptorProto}, read with the same {@code google.api.http} option registry
     * as a descriptor set file.
     *
     * @param source names where the files came from, for error messages
     * @throws IllegalArgumentException when a file does not parse or link
     */
    static DescriptorSet fromReflection(List<com.google.protobuf.ByteString> files, String source) {
        List<FileDescriptorProto> protos = new ArrayList<>(files.size());
        for (com.google.protobuf.ByteString bytes : files) {
            try {
                protos.add(FileDescriptorProto.parseFrom(bytes, OPTIONS));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException(source + " sent an unreadable file descriptor: " + e.getMessage());
            }
        }
        return link(protos, source, "the service's reflection must include the imports");
    }

    private static DescriptorSet link(List<FileDescriptorProto> files, String source, String hint) {
        Map<String, FileDescriptorProto> protos = new HashMap<>();
        for (FileDescriptorProto p : files) {
            protos.put(p.getName(), p);
        }
        Map<String, FileDescriptor> linked = new HashMap<>();
        Map<String, Descriptors.ServiceDescriptor> services = new LinkedHashMap<>();
        for (FileDescriptorProto p : files) {
            FileDescriptor fd = link(p.getName(), protos, linked, source, hint);
            for (Descriptors.ServiceDescriptor s : fd.getServices()) {
                services.put(s.getFullName(), s);
            }
        }
        return new DescriptorSet(Map.copyOf(services));
    }

    private static FileDescriptor link(String name, Map<String, FileDescriptorProto> protos,
                                       Map<String, FileDescriptor> linked, String source, String hint) {
        FileDescriptor done = linked.get(name);
        if (done != null) {
            return done;
        }
        FileDescriptorProto proto = protos.get(name);
        if (proto == null) {
            FileDescriptor wellKnown = WellKnownTypes.file(name);
            if (wellKnown == null) {
                throw new IllegalArgumentException(source + " lacks '" + name + "' (" + hint + ")");
            }
            linked.put(name, wellKnown);
            return wellKnown;
        }
        FileDescriptor[] deps = new FileDescriptor[proto.getDependencyCount()];
        for (int i = 0; i < deps.length; i++) {
            deps[i] = link(proto.getDependency(i), protos, linked, source, hint);
        }
        try {
            FileDescriptor fd = FileDescriptor.buildFrom(proto, deps);
            linked.put(name, fd);
            return fd;
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalArgumentException(source + ": '" + name + "' does not link: " + e.getMessage());
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
