package io.concierge.gateway.grpc;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * A real gRPC server on an ephemeral port serving {@code concierge.test.TestService} from the
 * committed descriptor set with dynamic messages (no generated code): Echo returns the request and
 * the metadata it saw; the standard server reflection (grpc.reflection.v1) describes it (so do GetItem and PutItem, mapped by their google.api.http options), Fail answers the status it is asked for, Slow waits (until its deadline or the
 * server closes), Count streams messages and can fail midway.
 */
final class TestGrpcService implements AutoCloseable {
    static final Path DESCRIPTORS = Path.of("src/test/resources/grpc/concierge_test.pb").toAbsolutePath();
    static final String[] SEEN = {"x-request-id", "traceparent", "x-tenant", "x-auth-subject", "x-secret"};
    private static final Context.Key<Metadata> HEADERS = Context.key("headers");

    private final Server server;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final ServiceDescriptor service;
    final AtomicReference<Metadata> lastHeaders = new AtomicReference<>();
    /** Streams the client (the gateway) cancelled. */
    final java.util.concurrent.atomic.AtomicInteger cancelledStreams = new java.util.concurrent.atomic.AtomicInteger();
    /** Calls that reached the service. */
    final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

    TestGrpcService() throws IOException {
        service = DescriptorSet.read(DESCRIPTORS).service("concierge.test.TestService");
        var methods = new java.util.LinkedHashMap<io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage>,
                ServerCallHandler<DynamicMessage, DynamicMessage>>();
        methods.put(grpcMethod("Echo"), ServerCalls.asyncUnaryCall(this::echo));
        methods.put(grpcMethod("Fail"), ServerCalls.asyncUnaryCall(this::fail));
        methods.put(grpcMethod("Slow"), ServerCalls.asyncUnaryCall(this::slow));
        methods.put(grpcMethod("Count"), ServerCalls.asyncServerStreamingCall(this::count));
        methods.put(grpcMethod("GetItem"), ServerCalls.asyncUnaryCall(this::echo));
        methods.put(grpcMethod("PutItem"), ServerCalls.asyncUnaryCall(this::echo));
        // The schema descriptor lets the standard reflection service describe this dynamically built service.
        io.grpc.ServiceDescriptor.Builder schema = io.grpc.ServiceDescriptor.newBuilder(service.getFullName())
                .setSchemaDescriptor(new Schema(service));
        methods.keySet().forEach(schema::addMethod);
        ServerServiceDefinition.Builder def = ServerServiceDefinition.builder(schema.build());
        methods.forEach(def::addMethod);
        Metadata served = new Metadata();
        served.put(Metadata.Key.of("x-served-by", Metadata.ASCII_STRING_MARSHALLER), "test-grpc");
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(def.build(), captureHeaders(),
                        MetadataUtils.newAttachMetadataServerInterceptor(served)))
                .addService(io.grpc.protobuf.services.ProtoReflectionServiceV1.newInstance())
                .build()
                .start();
    }

    /** What the reflection service reads to describe a service: its protobuf file and service. */
    private record Schema(ServiceDescriptor service) implements io.grpc.protobuf.ProtoServiceDescriptorSupplier {
        @Override
        public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
            return service.getFile();
        }

        @Override
        public ServiceDescriptor getServiceDescriptor() {
            return service;
        }
    }

    int port() {
        return server.getPort();
    }

    private io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod(String name) {
        MethodDescriptor m = service.findMethodByName(name);
        return io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                .setType(m.isServerStreaming() ? io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING
                        : io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(service.getFullName() + "/" + name)
                .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(m.getInputType())))
                .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(m.getOutputType())))
                .build();
    }

    private ServerInterceptor captureHeaders() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                lastHeaders.set(headers);
                calls.incrementAndGet();
                return Contexts.interceptCall(Context.current().withValue(HEADERS, headers), call, headers, next);
            }
        };
    }

    private Descriptor type(String name) {
        return service.getFile().findMessageTypeByName(name);
    }

    private void echo(DynamicMessage request, StreamObserver<DynamicMessage> out) {
        Descriptor reply = type("EchoReply");
        DynamicMessage.Builder b = DynamicMessage.newBuilder(reply);
        b.setField(reply.findFieldByName("echoed"), request);
        Metadata headers = HEADERS.get();
        var seen = reply.findFieldByName("seen");
        for (String name : SEEN) {
            String v = headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
            if (v != null) {
                b.addRepeatedField(seen, entry(seen.getMessageType(), name, v));
            }
        }
        if (Context.current().getDeadline() != null) {
            b.addRepeatedField(seen, entry(seen.getMessageType(), "deadline-ms",
                    Long.toString(Context.current().getDeadline().timeRemaining(TimeUnit.MILLISECONDS))));
        }
        Descriptor inner = type("Inner");
        b.addRepeatedField(reply.findFieldByName("items"), DynamicMessage.newBuilder(inner)
                .setField(inner.findFieldByName("label"), "first").setField(inner.findFieldByName("rank"), 1).build());
        b.setField(reply.findFieldByName("total"), 9007199254740993L); // 2^53 + 1: not exact as a double
        out.onNext(b.build());
        out.onCompleted();
    }

    private static DynamicMessage entry(Descriptor entryType, String key, String value) {
        return DynamicMessage.newBuilder(entryType).setField(entryType.findFieldByName("key"), key)
                .setField(entryType.findFieldByName("value"), value).build();
    }

    private void fail(DynamicMessage request, StreamObserver<DynamicMessage> out) {
        Map<String, Object> fields = Map.of(
                "code", request.getField(request.getDescriptorForType().findFieldByName("code")),
                "message", request.getField(request.getDescriptorForType().findFieldByName("message")));
        Metadata trailers = new Metadata();
        trailers.put(Metadata.Key.of("x-error-info", Metadata.ASCII_STRING_MARSHALLER), "from-trailers");
        out.onError(Status.fromCode(Status.Code.valueOf((String) fields.get("code")))
                .withDescription((String) fields.get("message")).asRuntimeException(trailers));
    }

    private void slow(DynamicMessage request, StreamObserver<DynamicMessage> out) {
        long millis = (Long) request.getField(request.getDescriptorForType().findFieldByName("millis"));
        try {
            closing.await(millis, TimeUnit.MILLISECONDS); // a slow service, not a synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (Context.current().isCancelled()) {
            return;
        }
        out.onNext(DynamicMessage.getDefaultInstance(type("EchoReply")));
        out.onCompleted();
    }

    private void count(DynamicMessage request, StreamObserver<DynamicMessage> out) {
        Descriptor in = request.getDescriptorForType();
        int upto = (Integer) request.getField(in.findFieldByName("upto"));
        int failAfter = (Integer) request.getField(in.findFieldByName("fail_after"));
        if (failAfter < 0) {
            endless((io.grpc.stub.ServerCallStreamObserver<DynamicMessage>) out);
            return;
        }
        if (upto < 0) {
            out.onError(Status.NOT_FOUND.withDescription("nothing to count").asRuntimeException());
            return;
        }
        Descriptor inner = type("Inner");
        for (int i = 1; i <= upto; i++) {
            if (failAfter > 0 && i > failAfter) {
                out.onError(Status.INTERNAL.withDescription("broke at " + i).asRuntimeException());
                return;
            }
            out.onNext(DynamicMessage.newBuilder(inner).setField(inner.findFieldByName("label"), "n" + i)
                    .setField(inner.findFieldByName("rank"), i).build());
        }
        out.onCompleted();
    }

    /**
     * A stream that goes on (paced at about one message per millisecond, for at most 10 s) until the
     * caller cancels it.
     */
    private void endless(io.grpc.stub.ServerCallStreamObserver<DynamicMessage> out) {
        out.setOnCancelHandler(cancelledStreams::incrementAndGet);
        Descriptor inner = type("Inner");
        for (int i = 1; i <= 10_000 && !out.isCancelled(); i++) {
            out.onNext(DynamicMessage.newBuilder(inner).setField(inner.findFieldByName("label"), "n" + i).build());
            try {
                closing.await(1, TimeUnit.MILLISECONDS); // pacing the fake service, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!out.isCancelled()) {
            out.onCompleted();
        }
    }

    @Override
    public void close() throws InterruptedException {
        closing.countDown();
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
