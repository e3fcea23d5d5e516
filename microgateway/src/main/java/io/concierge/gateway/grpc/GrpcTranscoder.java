package io.concierge.gateway.grpc;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;

import io.concierge.gateway.pipeline.Exchange;
import io.concierge.gateway.problem.Problem;
import io.concierge.gateway.telemetry.ClientSpan;
import io.concierge.gateway.telemetry.Tracing;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * A route whose target is a gRPC method (docs/grpc.md): builds the request message from the HTTP
 * request ({@link RequestMessage}), calls the method on one of the service's instances with the
 * request's deadline and metadata, and answers with the response message as JSON, a server stream
 * as a JSON array or NDJSON written message by message, or a gRPC status as problem+json
 * ({@link StatusProblems}). Everything but the request is fixed at load.
 */
public final class GrpcTranscoder {
    private static final Metadata.Key<String> REQUEST_ID = key("x-request-id");

    private final MethodBinding binding;
    private final GrpcRouteConfig config;
    private final GrpcChannels channels;
    private final MethodDescriptor<DynamicMessage, DynamicMessage> method;
    private final ResponseJson json;
    private final Duration deadline;
    private final int attempts;
    private final Tracing tracing;
    private final List<Metadata.Key<String>> requestKeys;
    private final List<HeaderName> requestHeaders;

    /**
     * @param deadline the route's (or its service's) deadline, else the service's read timeout: a gRPC
     *                 call always has one, so a hung service cannot hold the request forever
     * @param attempts tries for a {@code retryable} method that meets {@code UNAVAILABLE} (the service's
     *                 {@code resilience.retry.attempts}); 1 otherwise
     */
    public GrpcTranscoder(MethodBinding binding, GrpcRouteConfig config, GrpcChannels channels, Duration deadline,
                          int attempts, Tracing tracing) {
        this.binding = binding;
        this.config = config;
        this.channels = channels;
        this.method = MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                .setType(binding.serverStreaming() ? MethodDescriptor.MethodType.SERVER_STREAMING
                        : MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(binding.fullName())
                .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(
                        binding.method().getInputType())))
                .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(
                        binding.method().getOutputType())))
                .build();
        this.json = new ResponseJson(config.json());
        this.deadline = deadline;
        this.attempts = config.retryable() ? Math.max(1, attempts) : 1;
        this.tracing = tracing;
        this.requestKeys = config.requestMetadata().stream().map(GrpcTranscoder::key).toList();
        this.requestHeaders = config.requestMetadata().stream().map(HeaderNames::create).toList();
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }

    public void handle(Exchange exchange) {
        ServerResponse res = exchange.response();
        DynamicMessage request;
        try {
            request = RequestMessage.build(binding, config.ignoreUnknownQuery(), exchange.pathParams(),
                    exchange.request().query(), exchange.request().content().inputStream());
        } catch (BadValueException e) {
            Problem.send(res, 400, "Bad Request", e.getMessage(), exchange.requestId());
            return;
        } catch (RequestMessage.BodyTooLargeException e) {
            Problem.send(res, 413, "Content Too Large", "the body exceeds " + RequestMessage.MAX_BODY
                    + " bytes, gRPC's message limit", exchange.requestId());
            return;
        } catch (IOException e) {
            Problem.send(res, 400, "Bad Request", "the request body could not be read", exchange.requestId());
            return;
        }
        Metadata metadata = requestMetadata(exchange);
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        GrpcChannels.Instance instance = channels.acquire();
        for (int attempt = 1; ; attempt++) {
            if (instance == null) {
                Problem.send(res, 503, "Service Unavailable", "no instance of the gRPC service is available",
                        exchange.requestId());
                return;
            }
            boolean recorded = false;
            instance.upstream().acquired(); // least-in-flight balancing counts the call
            try {
                call(exchange, instance, request, metadata, deadlineNanos);
                return;
            } catch (StatusRuntimeException e) {
                Status.Code failed = e.getStatus().getCode();
                // Recorded before the client has the answer, so its next request sees the breaker's
                // new state (recording after sending raced with a fast client).
                instance.breaker().record(!StatusProblems.countsAgainstInstance(failed));
                recorded = true;
                boolean again = attempt < attempts && failed == Status.Code.UNAVAILABLE
                        && System.nanoTime() < deadlineNanos && !res.isSent();
                if (!again) {
                    if (!res.isSent()) {
                        sendStatus(res, e.getStatus(), e.getTrailers(), exchange.requestId());
                    }
                    return;
                }
            } finally {
                instance.upstream().released();
                if (!recorded) {
                    instance.breaker().record(true);
                }
            }
            channels.retried();
            instance = channels.acquireAfter(instance);
        }
    }

    private void call(Exchange exchange, GrpcChannels.Instance instance, DynamicMessage request, Metadata metadata,
                      long deadlineNanos) {
        ServerResponse res = exchange.response();
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        try (ClientSpan span = tracing.clientCall("POST", instance.host(), instance.port(),
                "http://" + instance.host() + ":" + instance.port() + "/" + binding.fullName(), channels.service())) {
            Metadata callMetadata = new Metadata();
            callMetadata.merge(metadata);
            span.inject((k, v) -> callMetadata.put(key(k), v));
            Channel channel = ClientInterceptors.intercept(instance.channel(),
                    MetadataUtils.newAttachHeadersInterceptor(callMetadata),
                    MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
            CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(deadlineNanos - System.nanoTime(),
                    TimeUnit.NANOSECONDS);
            try {
                if (binding.serverStreaming()) {
                    // The call belongs to this context: when the client goes away mid-stream (or the
                    // stream fails), cancelling it ends the call at once instead of at its deadline.
                    Context.CancellableContext call = Context.current().withCancellation();
                    Context previous = call.attach();
                    try {
                        stream(res, ClientCalls.blockingServerStreamingCall(channel, method, options, request),
                                headers);
                    } finally {
                        call.detach(previous);
                        call.cancel(null);
                    }
                } else {
                    DynamicMessage reply = ClientCalls.blockingUnaryCall(channel, method, options, request);
                    res.status(200);
                    responseHeaders(res, headers.get(), trailers.get());
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(json.write(reply).getBytes(StandardCharsets.UTF_8));
                }
                span.status(200);
            } catch (StatusRuntimeException e) {
                span.status(StatusProblems.map(e.getStatus().getCode()).status());
                throw e;
            }
        } catch (InvalidProtocolBufferException e) {
            throw Status.INTERNAL.withDescription("response not printable as JSON").asRuntimeException();
        }
    }

    /**
     * Writes each message as it arrives; the head waits for the first message (or the end), so a
     * call that fails before any message is still answered with its problem. A failure after that
     * cannot change the status any more: the connection is cut, so a truncated stream never looks
     * complete (an NDJSON client sees no final newline, a JSON-array client no closing bracket).
     */
    private void stream(ServerResponse res, Iterator<DynamicMessage> messages, AtomicReference<Metadata> headers)
            throws InvalidProtocolBufferException {
        boolean ndjson = config.stream() == StreamFormat.NDJSON;
        boolean any = messages.hasNext(); // a status before the first message throws here
        res.status(200);
        responseHeaders(res, headers.get(), null);
        res.header(HeaderNames.CONTENT_TYPE, ndjson ? "application/x-ndjson" : "application/json");
        try (OutputStream out = res.outputStream()) {
            if (!ndjson) {
                out.write('[');
            }
            boolean first = true;
            while (any) {
                DynamicMessage m = messages.next();
                if (!ndjson && !first) {
                    out.write(',');
                }
                out.write(json.write(m).getBytes(StandardCharsets.UTF_8));
                if (ndjson) {
                    out.write('\n');
                }
                out.flush();
                first = false;
                try {
                    any = messages.hasNext();
                } catch (StatusRuntimeException e) {
                    throw new IOException("gRPC stream ended with " + e.getStatus().getCode(), e);
                }
            }
            if (!ndjson) {
                out.write(']');
            }
        } catch (IOException e) {
            // The head is gone; cut the connection rather than end the body as if it were complete.
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Metadata requestMetadata(Exchange exchange) {
        Metadata md = new Metadata();
        if (exchange.requestId() != null) {
            md.put(REQUEST_ID, exchange.requestId());
        }
        var headers = exchange.request().headers();
        for (int i = 0; i < requestHeaders.size(); i++) {
            var h = headers.find(requestHeaders.get(i));
            if (h.isPresent()) {
                for (String v : h.get().allValues()) {
                    md.put(requestKeys.get(i), v);
                }
            }
        }
        // The verified identity (the auth step's X-Auth-* headers) goes along as it does to HTTP services.
        exchange.upstreamHeaders().added().forEach(h -> md.put(key(h[0].toLowerCase(java.util.Locale.ROOT)), h[1]));
        return md;
    }

    private void responseHeaders(ServerResponse res, Metadata headers, Metadata trailers) {
        for (String name : config.responseMetadata()) {
            Metadata.Key<String> k = key(name);
            Metadata from = headers != null && headers.containsKey(k) ? headers : trailers;
            if (from != null && from.containsKey(k)) {
                for (String v : from.getAll(k)) {
                    res.header(HeaderNames.create(name), v);
                }
            }
        }
    }

    private void sendStatus(ServerResponse res, Status status, Metadata trailers, String requestId) {
        StatusProblems.Mapped mapped = StatusProblems.map(status.getCode());
        responseHeaders(res, null, trailers);
        Problem.send(res, mapped.status(), mapped.title(), StatusProblems.detail(status, mapped), requestId);
    }
}
