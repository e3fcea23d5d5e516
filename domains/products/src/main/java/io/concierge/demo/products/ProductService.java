package io.concierge.demo.products;

import io.concierge.demo.support.DemoServer;
import io.concierge.demo.support.JsonResponses;
import io.concierge.demo.support.ProblemException;
import io.concierge.demo.support.ServiceEnvironment;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;

/** The products domain's demo service: a read-only catalog with reviews and inventory. */
public final class ProductService {
    public static final String NAME = "products";
    public static final String PORT_VARIABLE = "PRODUCT_SERVICE_PORT";
    public static final int DEFAULT_PORT = 3002;

    private final ProductCatalog catalog;

    private ProductService(ProductCatalog catalog) {
        this.catalog = catalog;
    }

    public static void main(String[] args) {
        DemoServer.runMain(NAME, () -> {
            WebServer web = start(ServiceEnvironment.port(PORT_VARIABLE, DEFAULT_PORT));
            // The gRPC face of the same catalog (docs/grpc.md), for the gateway's REST to gRPC routes;
            // a taken port ends the process like the HTTP port does.
            ProductGrpcService.start(ServiceEnvironment.host(),
                    ServiceEnvironment.port(ProductGrpcService.PORT_VARIABLE, ProductGrpcService.DEFAULT_PORT),
                    ProductCatalog.demo());
            return web;
        });
    }

    /** Starts on {@code port} (0: any free port). */
    public static WebServer start(int port) {
        ProductService service = new ProductService(ProductCatalog.demo());
        return DemoServer.start(NAME, ServiceEnvironment.host(), port, service::routes);
    }

    /**
     * The catalog changes rarely: shared caches (the products gateways' cache, docs/caching.md) may
     * keep it 30 s, and serve it for 5 more minutes when this service is down. Only on the 200s:
     * a 404 problem carries no freshness and is not stored.
     */
    static final String CATALOG_CACHE_CONTROL = "public, max-age=30, stale-if-error=300";

    private void routes(HttpRouting.Builder routing) {
        routing.get("/api/products", (req, res) -> {
                    Object products = catalog.products();
                    res.header(HeaderNames.CACHE_CONTROL, CATALOG_CACHE_CONTROL);
                    JsonResponses.ok(res, products);
                })
                .get("/api/products/{id}", (req, res) -> {
                    Product p = product(req);
                    res.header(HeaderNames.CACHE_CONTROL, CATALOG_CACHE_CONTROL);
                    JsonResponses.ok(res, p);
                })
                .get("/api/products/{id}/reviews",
                        (req, res) -> JsonResponses.ok(res, catalog.reviews(product(req).id())))
                .get("/api/products/{id}/inventory", (req, res) -> JsonResponses.ok(res,
                        catalog.inventory(product(req).id()).orElseThrow(
                                () -> ProblemException.notFound("No inventory record for this product"))));
    }

    /** The product named by the path, so that reviews of an unknown product are a 404, not []. */
    private Product product(ServerRequest req) {
        return catalog.find(req.path().pathParameters().get("id"))
                .orElseThrow(() -> ProblemException.notFound("No product with this id"));
    }
}
