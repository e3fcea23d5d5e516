package io.concierge.gateway.grpc;

import java.util.Map;

import com.google.api.AnnotationsProto;
import com.google.api.HttpProto;
import com.google.protobuf.AnyProto;
import com.google.protobuf.ApiProto;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.SourceContextProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.TypeProto;
import com.google.protobuf.WrappersProto;

/** The files protobuf-java carries itself, for descriptor sets made without {@code --include_imports}. */
final class WellKnownTypes {
    private static final Map<String, FileDescriptor> FILES = Map.ofEntries(
            entry(AnyProto.getDescriptor()), entry(ApiProto.getDescriptor()),
            entry(DescriptorProtos.getDescriptor()), entry(DurationProto.getDescriptor()),
            entry(EmptyProto.getDescriptor()), entry(FieldMaskProto.getDescriptor()),
            entry(SourceContextProto.getDescriptor()), entry(StructProto.getDescriptor()),
            entry(TimestampProto.getDescriptor()), entry(TypeProto.getDescriptor()),
            entry(WrappersProto.getDescriptor()),
            // google.api.http's own files, which protoc users rarely have at hand (proto-google-common-protos).
            entry(AnnotationsProto.getDescriptor()), entry(HttpProto.getDescriptor()));

    private WellKnownTypes() {
    }

    private static Map.Entry<String, FileDescriptor> entry(FileDescriptor fd) {
        return Map.entry(fd.getName(), fd);
    }

    static FileDescriptor file(String name) {
        return FILES.get(name);
    }
}
