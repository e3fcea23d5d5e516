package io.concierge.demo.orders;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import io.concierge.demo.support.Caller;
import io.concierge.demo.support.DemoServer;
import io.concierge.demo.support.JsonBody;
import io.concierge.demo.support.JsonResponses;
import io.concierge.demo.support.ProblemException;
import io.concierge.demo.support.QueryParameters;
import io.concierge.demo.support.ServiceEnvironment;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The orders domain's demo service. Behind its gateway, a customer sees and creates only their own
 * orders, an admin all: the gateway checks {@code ?userId=} against the token, and this service
 * checks an order's owner and a new order's userId against the verified caller the gateway passes
 * on ({@link Caller}). Called directly, without identity headers, it trusts the userId it is given.
 */
public final class OrderService {
    public static final String NAME = "orders";
    public static final String PORT_VARIABLE = "ORDER_SERVICE_PORT";
    public static final int DEFAULT_PORT = 3003;

    static final int MAX_ITEMS = 50;
    static final int MAX_QUANTITY = 100;
    static final int MAX_LIMIT = 100;

    private final OrderBook orders;

    private OrderService(OrderBook orders) {
        this.orders = orders;
    }

    public static void main(String[] args) {
        DemoServer.runMain(NAME, () -> start(ServiceEnvironment.port(PORT_VARIABLE, DEFAULT_PORT)));
    }

    /** Starts on {@code port} (0: any free port) with the demo orders. */
    public static WebServer start(int port) {
        OrderService service = new OrderService(OrderBook.demo());
        return DemoServer.start(NAME, ServiceEnvironment.host(), port, service::routes);
    }

    private void routes(HttpRouting.Builder routing) {
        routing.get("/api/orders", (req, res) -> {
                    Optional<String> userId = QueryParameters.optionalToken(req, "userId");
                    // ?limit=n keeps the n newest (the dashboard composition asks for 5).
                    OptionalInt limit = QueryParameters.optionalInt(req, "limit", 1, MAX_LIMIT);
                    // A customer lists their own orders only (the gateway checks this too).
                    Caller.of(req).ifPresent(c -> c.mustOwn(userId.orElse(""), "order list"));
                    List<Order> list = orders.list(userId);
                    JsonResponses.ok(res, limit.isPresent() && list.size() > limit.getAsInt()
                            ? list.subList(0, limit.getAsInt()) : list);
                })
                .post("/api/orders", this::create)
                .get("/api/orders/{id}", this::order);
    }

    private void order(ServerRequest req, ServerResponse res) {
        Order order = orders.find(req.path().pathParameters().get("id"))
                .orElseThrow(() -> ProblemException.notFound("No order with this id"));
        Caller.of(req).ifPresent(c -> c.mustOwn(order.userId(), "order"));
        JsonResponses.ok(res, order);
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonBody body = JsonBody.read(req);
        String userId = body.token("userId");
        Caller.of(req).ifPresent(c -> c.mustOwn(userId, "user id"));
        List<OrderItem> items = body.objects("items", MAX_ITEMS).stream().map(OrderService::item).toList();
        Order order = orders.create(userId, items, Instant.now()).orElseThrow(
                () -> new ProblemException(Status.SERVICE_UNAVAILABLE_503, "The demo order store is full"));
        res.header(HeaderNames.LOCATION, "/api/orders/" + order.id());
        JsonResponses.send(res, Status.CREATED_201, order);
    }

    private static OrderItem item(JsonBody item) {
        String productId = item.token("productId");
        if (PriceList.price(productId).isEmpty()) {
            throw item.invalid("productId", "is not a product of the catalog");
        }
        return new OrderItem(productId, item.integer("quantity", 1, MAX_QUANTITY));
    }
}
