package io.concierge.demo.products;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;

import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

/**
 * The product service's gRPC face, {@code product.ProductService} (proto/product.proto), over the
 * same catalog as the REST API. Messages are dynamic, from the descriptor set in the jar: the demo
 * needs no protoc plugin to build.
 */
public final class ProductGrpcService {
    public static final String PORT_VARIABLE = "PRODUCT_GRPC_PORT";
    public static final int DEFAULT_PORT = 50051;
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;

    private final ProductCatalog catalog;
    private final ServiceDescriptor service;
    private final Descriptor product;
    private final Descriptor searchResponse;

    private ProductGrpcService(ProductCatalog catalog) {
        this.catalog = catalog;
        this.service = descriptors().findServiceByName("ProductService");
        this.product = service.getFile().findMessageTypeByName("Product");
        this.searchResponse = service.getFile().findMessageTypeByName("SearchProductsResponse");
    }

    /** Starts on {@code host:port} (0: any free port); the caller stops the returned server. */
    public static Server start(String host, int port, ProductCatalog catalog) {
        ProductGrpcService s = new ProductGrpcService(catalog);
        ServerServiceDefinition definition = ServerServiceDefinition.builder(s.service.getFullName())
                .addMethod(s.method("GetProduct"), ServerCalls.asyncUnaryCall(s::getProduct))
                .addMethod(s.method("SearchProducts"), ServerCalls.asyncUnaryCall(s::searchProducts))
                .build();
        try {
            // Bound to the given host only (loopback in the demo), which Grpc.newServerBuilderForPort cannot do.
            return NettyServerBuilder.forAddress(new InetSocketAddress(host, port), InsecureServerCredentials.create())
                    .addService(definition)
                    .build()
                    .start();
        } catch (IOException e) {
            throw new IllegalArgumentException("gRPC port " + port + " on " + host + ": " + e.getMessage(), e);
        }
    }

    public static Server start(int port) {
        return start("127.0.0.1", port, ProductCatalog.demo());
    }

    private static Descriptors.FileDescriptor descriptors() {
        try (InputStream in = ProductGrpcService.class.getResourceAsStream("/product.pb")) {
            if (in == null) {
                throw new IllegalStateException("product.pb is not on the class path");
            }
            FileDescriptorSet set = FileDescriptorSet.parseFrom(in);
            return Descriptors.FileDescriptor.buildFrom(set.getFile(0), new Descriptors.FileDescriptor[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    private MethodDescriptor<DynamicMessage, DynamicMessage> method(String name) {
        Descriptors.MethodDescriptor m = service.findMethodByName(name);
        return MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(service.getFullName() + "/" + name)
                .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(m.getInputType())))
                .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(m.getOutputType())))
                .build();
    }

    private void getProduct(DynamicMessage request, StreamObserver<DynamicMessage> out) {
        String id = (String) field(request, "id");
        catalog.find(id).ifPresentOrElse(p -> {
            out.onNext(message(p));
            out.onCompleted();
        }, () -> out.onError(Status.NOT_FOUND.withDescription("No product with this id").asRuntimeException()));
    }

    private void searchProducts(DynamicMessage request, StreamObserver<DynamicMessage> out) {
        String query = ((String) field(request, "query")).toLowerCase(Locale.ROOT);
        String category = (String) field(request, "category");
        Double min = has(request, "min_price") ? (Double) field(request, "min_price") : null;
        Double max = has(request, "max_price") ? (Double) field(request, "max_price") : null;
        int page = (Integer) field(request, "page");
        int limit = (Integer) field(request, "limit");
        if (page < 0 || limit < 0 || limit > MAX_LIMIT) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("page must be >= 1 and limit 1.." + MAX_LIMIT)
                    .asRuntimeException());
            return;
        }
        page = page == 0 ? 1 : page;
        limit = limit == 0 ? DEFAULT_LIMIT : limit;
        List<Product> matches = catalog.products().stream()
                .filter(p -> query.isEmpty() || p.name().toLowerCase(Locale.ROOT).contains(query))
                .filter(p -> category.isEmpty() || p.category().equals(category))
                .filter(p -> min == null || p.price().doubleValue() >= min)
                .filter(p -> max == null || p.price().doubleValue() <= max)
                .toList();
        DynamicMessage.Builder b = DynamicMessage.newBuilder(searchResponse);
        FieldDescriptor products = searchResponse.findFieldByName("products");
        long from = (long) (page - 1) * limit;
        matches.stream().skip(from).limit(limit).forEach(p -> b.addRepeatedField(products, message(p)));
        b.setField(searchResponse.findFieldByName("total_count"), matches.size());
        b.setField(searchResponse.findFieldByName("page"), page);
        b.setField(searchResponse.findFieldByName("limit"), limit);
        out.onNext(b.build());
        out.onCompleted();
    }

    private DynamicMessage message(Product p) {
        return DynamicMessage.newBuilder(product)
                .setField(product.findFieldByName("id"), p.id())
                .setField(product.findFieldByName("name"), p.name())
                .setField(product.findFieldByName("price"), p.price().doubleValue())
                .setField(product.findFieldByName("currency"), p.currency())
                .setField(product.findFieldByName("category"), p.category())
                .setField(product.findFieldByName("in_stock"),
                        catalog.inventory(p.id()).map(Inventory::inStock).orElse(false))
                .build();
    }

    private static Object field(DynamicMessage m, String name) {
        return m.getField(m.getDescriptorForType().findFieldByName(name));
    }

    private static boolean has(DynamicMessage m, String name) {
        return m.hasField(m.getDescriptorForType().findFieldByName(name));
    }

    /** Stops within a bound, for tests and shutdown. */
    public static void stop(Server server) {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
