package io.concierge.gateway.grpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;

import io.concierge.gateway.config.InstanceConfig;

/**
 * {@code grpc.descriptors: reflection}: the descriptors of a gRPC service fetched once at load from its
 * instances through the standard server reflection service ({@code grpc.reflection.v1.ServerReflection}):
 * the instances are asked in order and the first that answers within the timeout wins; its services
 * (but the reflection service itself) and every file they need are linked into the same
 * {@link DescriptorSet} a descriptor set file gives.
 *
 * <p>Why at load and not per call: descriptors decide whether routes bind at all (a wrong method name is
 * a load error), and the request path must not wait on a second round trip.
 */
public final class ReflectionDescriptors {
    /** The YAML value of {@code grpc.descriptors} that selects reflection. */
    public static final String KEYWORD = "reflection";
    /** Default of {@code grpc.reflection-timeout}: the whole exchange with one instance. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private static final String REFLECTION_PREFIX = "grpc.reflection.";

    private ReflectionDescriptors() {
    }

    /**
     * @throws IllegalArgumentException naming every instance and why it did not answer, when none did
     */
    static DescriptorSet fetch(String service, List<InstanceConfig> instances, ChannelCredentials credentials,
                               Duration timeout) {
        List<String> failures = new ArrayList<>();
        for (InstanceConfig instance : instances) {
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(instance.host(), instance.port(), credentials)
                    .userAgent("concierge")
                    .build();
            try {
                List<ByteString> files = exchange(channel, timeout);
                return DescriptorSet.fromReflection(files, "server reflection of " + instance.authority());
            } catch (ReflectionFailure e) {
                failures.add(instance.authority() + " (" + e.getMessage() + ")");
            } finally {
                close(channel);
            }
        }
        throw new IllegalArgumentException("no instance of '" + service + "' answered gRPC server reflection within "
                + timeout.toMillis() + "ms: " + String.join(", ", failures));
    }

    /** Waits briefly for the channel's transport to go, so a load leaves no connection behind. */
    private static void close(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One reflection stream: list the services, then ask for the file of each (with its imports). */
    private static List<ByteString> exchange(ManagedChannel channel, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Answers answers = new Answers();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .serverReflectionInfo(answers);
        try {
            requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
            ServerReflectionResponse list = answers.next(deadline);
            if (!list.hasListServicesResponse()) {
                throw new ReflectionFailure(describe(list));
            }
            // Files by name: each answer carries the asked file and its imports, which services share.
            Map<String, ByteString> files = new LinkedHashMap<>();
            for (ServiceResponse s : list.getListServicesResponse().getServiceList()) {
                if (s.getName().startsWith(REFLECTION_PREFIX)) {
                    continue;
                }
                requests.onNext(ServerReflectionRequest.newBuilder().setFileContainingSymbol(s.getName()).build());
                ServerReflectionResponse answer = answers.next(deadline);
                if (!answer.hasFileDescriptorResponse()) {
                    throw new ReflectionFailure("for '" + s.getName() + "': " + describe(answer));
                }
                for (ByteString file : answer.getFileDescriptorResponse().getFileDescriptorProtoList()) {
                    files.putIfAbsent(fileName(file), file);
                }
            }
            requests.onCompleted();
            return List.copyOf(files.values());
        } catch (ReflectionFailure e) {
            requests.onError(Status.CANCELLED.withDescription("gateway gave up").asRuntimeException());
            throw e;
        }
    }

    private static String fileName(ByteString file) {
        try {
            return com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(file).getName();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new ReflectionFailure("unreadable file descriptor: " + e.getMessage());
        }
    }

    private static String describe(ServerReflectionResponse r) {
        return r.hasErrorResponse()
                ? "error " + r.getErrorResponse().getErrorCode() + ": " + r.getErrorResponse().getErrorMessage()
                : "unexpected answer " + r.getMessageResponseCase();
    }

    /** The answers of one stream, in order; an error or an early end of the stream is a failure. */
    private static final class Answers implements StreamObserver<ServerReflectionResponse> {
        private static final Object END = new Object();
        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();

        @Override
        public void onNext(ServerReflectionResponse value) {
            queue.add(value);
        }

        @Override
        public void onError(Throwable t) {
            queue.add(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            queue.add(END);
        }

        ServerReflectionResponse next(long deadlineNanos) {
            Object o;
            try {
                o = queue.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ReflectionFailure("interrupted");
            }
            if (o instanceof ServerReflectionResponse r) {
                return r;
            }
            if (o instanceof Status s) {
                throw new ReflectionFailure(s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription()));
            }
            throw new ReflectionFailure(o == null ? "no answer in time" : "stream ended early");
        }
    }

    private static final class ReflectionFailure extends RuntimeException {
        ReflectionFailure(String message) {
            super(message, null, false, false);
        }
    }
}
